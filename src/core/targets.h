/* targets.h — what to scan: addresses, CIDR blocks, ranges, hostnames and
 * target files, minus exclusions, walked in a random order that never
 * materialises the list (a /8 costs a few ranges, not 16 million entries).
 *
 * A target_set holds disjoint sorted address ranges per family. Iteration
 * maps an index through a keyed Feistel permutation of [0, count) (the seed
 * fixes the order) onto the ranges, so memory is O(number of ranges).
 * `--shard i/N` walks every N-th permuted index starting at i. */
#ifndef CAMAUDIT_TARGETS_H
#define CAMAUDIT_TARGETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

/* One address: family AF_INET (4 bytes used) or AF_INET6 (16 bytes). */
struct target_addr {
    int family;
    uint8_t bytes[16];
};

/* Largest number of addresses one set may hold (IPv6 blocks make this easy
 * to exceed by accident; 2^40 is far beyond any real scan). */
#define TARGETS_MAX_COUNT ((uint64_t)1 << 40)

struct target_set;

struct target_set *target_set_new(void);
void target_set_free(struct target_set *set);

/* Adds one specification: "192.0.2.1", "2001:db8::1", "192.0.2.0/24",
 * "2001:db8::/120", "192.0.2.1-192.0.2.9", "192.0.2.1-9", or a host name
 * (resolved now). Returns 0, or -1 with one line naming the input in err. */
int target_set_add(struct target_set *set, const char *spec, char *err, size_t err_size);
/* Same for an exclusion; exclusions apply to everything added, in any order. */
int target_set_exclude(struct target_set *set, const char *spec, char *err, size_t err_size);
/* Reads specifications from a file ("-" = stdin): whitespace or comma
 * separated, '#' starts a comment. Errors name file and line. */
int target_set_add_file(struct target_set *set, const char *path, char *err, size_t err_size);
int target_set_exclude_file(struct target_set *set, const char *path, char *err, size_t err_size);

/* Number of distinct addresses after exclusions. */
uint64_t target_set_count(struct target_set *set);

/* Addresses of the set (after exclusions) from first to last inclusive
 * (same family; 0 otherwise): whether a subnet overlaps the targets, or
 * (first == last) whether one address is a target. */
uint64_t target_set_count_between(struct target_set *set, const struct target_addr *first,
                                  const struct target_addr *last);
/* Whether an exclusion covers the address (whether or not it was a target). */
bool target_set_is_excluded(struct target_set *set, const struct target_addr *a);

/* Random-order iteration. seed 0 picks a random seed. shard_index < shard_count. */
struct target_iter;
struct target_iter *target_iter_new(struct target_set *set, uint64_t seed, uint32_t shard_index,
                                    uint32_t shard_count);
/* Returns false when done. */
bool target_iter_next(struct target_iter *it, struct target_addr *out);
void target_iter_free(struct target_iter *it);

/* Text form ("192.0.2.1", "2001:db8::1"); buf of at least 46 bytes. */
void target_addr_format(const struct target_addr *a, char *buf, size_t buf_size);
/* Socket address for connect(). Returns its length. */
socklen_t target_addr_sockaddr(const struct target_addr *a, uint16_t port,
                               struct sockaddr_storage *out);
/* Parses a literal address (no names, no blocks). */
bool target_addr_parse(const char *text, struct target_addr *out);

#endif
