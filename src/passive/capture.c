/* capture.c — libpcap file and live capture behind capture.h. Files are read
 * frame by frame through libpcap's buffered reader, so memory does not grow
 * with the file; a truncated or corrupt file ends with an error naming the
 * file and the offset of the last good byte. */
#include "passive/capture.h"

#include "core/util.h"
#include "passive/packet.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIVE_SNAPLEN 65535
#define LIVE_TIMEOUT_MS 250
#define LIVE_BUFFER_BYTES (32 * 1024 * 1024) /* kernel ring: absorbs bursts */

struct capture {
    pcap_t *pcap;
    char *name;
    bool live;
    bool pcapng;      /* block sizes vary: offsets come from ftell on error */
    long good_offset; /* classic pcap: offset after the last frame read whole */
    unsigned long long frames;
};

#define PCAP_FILE_HEADER 24
#define PCAP_RECORD_HEADER 16

/* True when f starts with a pcapng section header block (f is rewound). */
static int apply_filter(struct capture *cap, const char *filter, char *err, size_t err_size)
{
    if (!filter)
        return 0;
    struct bpf_program prog;
    if (pcap_compile(cap->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(err, err_size, "bad filter '%s': %s", filter, pcap_geterr(cap->pcap));
        return -1;
    }
    int rc = pcap_setfilter(cap->pcap, &prog);
    if (rc != 0)
        snprintf(err, err_size, "cannot apply filter '%s': %s", filter, pcap_geterr(cap->pcap));
    pcap_freecode(&prog);
    return rc == 0 ? 0 : -1;
}

static int check_linktype(struct capture *cap, char *err, size_t err_size)
{
    int dlt = pcap_datalink(cap->pcap);
    if (packet_linktype_supported(dlt))
        return 0;
    const char *name = pcap_datalink_val_to_name(dlt);
    snprintf(err, err_size, "cannot read '%s': link type %s (%d) is not supported", cap->name,
             name ? name : "unknown", dlt);
    return -1;
}

struct capture *capture_open_file(const char *path, const char *filter, char *err, size_t err_size)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_size, "cannot read '%s': %s", path, strerror(errno));
        return NULL;
    }
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, perr);
    if (!p) {
        fclose(f);
        snprintf(err, err_size, "cannot read '%s': %s", path, perr[0] ? perr : "not a capture");
        return NULL;
    }
    struct capture *cap = xcalloc(1, sizeof *cap);
    cap->pcap = p;
    cap->name = xstrdup(path);
    /* libpcap reports a pcapng section's version (1.0), a pcap file's 2.4:
     * no peeking at the magic, which a pipe could not rewind. */
    cap->pcapng = pcap_major_version(p) == 1;
    cap->good_offset = PCAP_FILE_HEADER;
    if (check_linktype(cap, err, err_size) != 0 || apply_filter(cap, filter, err, err_size) != 0) {
        capture_close(cap);
        return NULL;
    }
    return cap;
}

struct capture *capture_open_live(const char *ifname, const char *filter, bool promisc, char *err,
                                  size_t err_size)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_create(ifname, perr);
    if (!p) {
        snprintf(err, err_size, "cannot capture on '%s': %s", ifname, perr);
        return NULL;
    }
    struct capture *cap = xcalloc(1, sizeof *cap);
    cap->pcap = p;
    cap->name = xstrdup(ifname);
    cap->live = true;
    pcap_set_snaplen(p, LIVE_SNAPLEN);
    pcap_set_promisc(p, promisc ? 1 : 0);
    pcap_set_timeout(p, LIVE_TIMEOUT_MS);
    pcap_set_buffer_size(p, LIVE_BUFFER_BYTES);
    int rc = pcap_activate(p);
    if (rc < 0) {
        snprintf(err, err_size, "cannot capture on '%s': %s", ifname,
                 rc == PCAP_ERROR ? pcap_geterr(p) : pcap_statustostr(rc));
        capture_close(cap);
        return NULL;
    }
    if (pcap_setdirection(p, PCAP_D_INOUT) != 0) {
        /* Not every platform supports it; both directions is the default. */
    }
    if (check_linktype(cap, err, err_size) != 0 || apply_filter(cap, filter, err, err_size) != 0) {
        capture_close(cap);
        return NULL;
    }
    return cap;
}

void capture_close(struct capture *cap)
{
    if (!cap)
        return;
    pcap_close(cap->pcap);
    free(cap->name);
    free(cap);
}

int capture_linktype(const struct capture *cap)
{
    return pcap_datalink(cap->pcap);
}

unsigned long long capture_dropped(const struct capture *cap)
{
    struct pcap_stat st;
    if (!cap->live || pcap_stats(cap->pcap, &st) != 0)
        return 0;
    return (unsigned long long)st.ps_drop + st.ps_ifdrop;
}

void capture_stop(struct capture *cap)
{
    pcap_breakloop(cap->pcap);
}

int capture_next(struct capture *cap, struct capture_frame *frame, char *err, size_t err_size)
{
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc = pcap_next_ex(cap->pcap, &h, &data);
        if (rc == 1) {
            frame->data = data;
            frame->caplen = h->caplen;
            frame->time = (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e6;
            cap->good_offset += PCAP_RECORD_HEADER + (long)h->caplen;
            cap->frames++;
            return 1;
        }
        if (rc == 0)
            continue; /* live timeout with no packet */
        if (rc == PCAP_ERROR_BREAK)
            return 0;
        if (cap->live)
            snprintf(err, err_size, "capture on '%s' failed: %s", cap->name,
                     pcap_geterr(cap->pcap));
        else if (cap->pcapng)
            snprintf(err, err_size, "cannot read '%s' after frame %llu, stopped at byte %ld: %s",
                     cap->name, cap->frames, ftell(pcap_file(cap->pcap)), pcap_geterr(cap->pcap));
        else
            snprintf(err, err_size, "cannot read '%s' past byte %ld (after frame %llu): %s",
                     cap->name, cap->good_offset, cap->frames, pcap_geterr(cap->pcap));
        return -1;
    }
}
