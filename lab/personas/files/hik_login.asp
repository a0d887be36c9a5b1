<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title></title>
<link rel="stylesheet" type="text/css" href="../css/ui.css" />
<script type="text/javascript" src="../script/inc.js"></script>
<script type="text/javascript" src="../script/login.js"></script>
</head>
<body>
<div id="login"><div class="login-logo"></div><input id="username" type="text" /><input id="password" type="password" /></div>
</body>
</html>
