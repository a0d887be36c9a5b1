var g_oCommon = { szProtocol: "hikvision://", szVersion: "3.1" };
document.write('<script type="text/javascript" src="../script/lib/jquery.js"></script>');
