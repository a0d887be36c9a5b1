/* pcap_count.c — the floor of bench/passive-vs-tshark: a libpcap loop that
 * reads every frame of a capture file and only counts them. */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    char err[PCAP_ERRBUF_SIZE];
    if (argc != 2) {
        fprintf(stderr, "usage: pcap_count FILE\n");
        return 2;
    }
    pcap_t *p = pcap_open_offline(argv[1], err);
    if (!p) {
        fprintf(stderr, "pcap_count: %s\n", err);
        return 2;
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    unsigned long long frames = 0, bytes = 0;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        frames++;
        bytes += h->caplen;
    }
    printf("%llu frames, %llu bytes\n", frames, bytes);
    pcap_close(p);
    return rc == PCAP_ERROR_BREAK ? 0 : 1;
}
