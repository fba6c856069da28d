/*
 * The 16 bytes the load generator writes at the end of every RTP payload it sends. Forwarders keep payloads
 * intact, so the receiver finds them again after any header rewriting (SSRC, sequence, header extensions).
 */
#ifndef BENCH_TRAILER_H
#define BENCH_TRAILER_H

#include <stdint.h>
#include <string.h>

#define TRAILER_SIZE 16
#define TRAILER_MAGIC 0xC0C1A7E5u
#define TRAILER_IN_WINDOW 0x1u

typedef struct {
  uint32_t magic;
  uint16_t publisher;
  uint16_t flags;
  uint64_t sent_realtime_ns;
} Trailer;

_Static_assert(sizeof(Trailer) == TRAILER_SIZE, "trailer layout");

static inline void trailer_write(uint8_t *end, const Trailer *t) { memcpy(end - TRAILER_SIZE, t, TRAILER_SIZE); }

static inline int trailer_read(const uint8_t *end, Trailer *t) {
  memcpy(t, end - TRAILER_SIZE, TRAILER_SIZE);
  return t->magic == TRAILER_MAGIC;
}

#endif
