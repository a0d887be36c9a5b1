/* capture.h — the packet source of `camaudit passive`: a pcap or pcapng file
 * read as a stream (never loaded whole), or a live interface opened for
 * reading only (non-promiscuous unless asked; nothing is ever sent). */
#ifndef CAMAUDIT_PASSIVE_CAPTURE_H
#define CAMAUDIT_PASSIVE_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct capture;

struct capture_frame {
    const uint8_t *data;
    size_t caplen;
    double time;
};

/* Opens a capture file; NULL with "cannot read 'F': reason" in err. */
struct capture *capture_open_file(const char *path, const char *filter, char *err, size_t err_size);
/* Opens an interface for capture only. */
struct capture *capture_open_live(const char *ifname, const char *filter, bool promisc, char *err,
                                  size_t err_size);
void capture_close(struct capture *cap);

int capture_linktype(const struct capture *cap);
/* 1 with *frame filled, 0 at the end (or after capture_stop), -1 on a read
 * error: err then names the file, the byte offset reached and the reason. */
int capture_next(struct capture *cap, struct capture_frame *frame, char *err, size_t err_size);
/* Frames the kernel dropped on a live capture (0 for files). */
unsigned long long capture_dropped(const struct capture *cap);
/* Makes a pending or later capture_next return 0 (signal handlers). */
void capture_stop(struct capture *cap);

#endif
