/*
 * Consumer side of the load generator: one UDP socket per subscriber, drained with recvmmsg.
 *
 * For every RTP packet it finds the sender's trailer (trailer.h) behind whatever header the forwarder wrote and,
 * for packets the sender sent inside the measurement window, counts them per publisher and per socket and adds
 * (kernel receive timestamp - sender timestamp) to a latency histogram. Both stamps are CLOCK_REALTIME on the
 * same host. Socket overflows are read from SO_RXQ_OVFL so the generator's own drops are told apart.
 * After each drain it sleeps --coalesce-us so packets pile up and are read in large batches: the kernel stamps
 * them on arrival, so this costs no accuracy and keeps the receiver from competing with what it measures.
 *
 * usage: receiver --sockets N --publishers P [--rcvbuf BYTES] [--coalesce-us US] [--max-ms MS]
 * Prints "PORTS p1 p2 ..." once bound, receives until stdin closes or --max-ms, then prints a JSON summary.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "trailer.h"

#define BATCH 64
#define MAX_PACKET 2048
#define CMSG_SPACE_BYTES 128
/* Histogram: 1 us buckets below 1 ms, 10 us below 10 ms, 100 us below 100 ms, 1 ms below 1 s, then overflow. */
#define HIST_BUCKETS 3701

static uint64_t hist[HIST_BUCKETS];

static unsigned bucket_of(uint64_t us) {
  if (us < 1000) return (unsigned)us;
  if (us < 10000) return 1000 + (unsigned)((us - 1000) / 10);
  if (us < 100000) return 1900 + (unsigned)((us - 10000) / 100);
  if (us < 1000000) return 2800 + (unsigned)((us - 100000) / 1000);
  return HIST_BUCKETS - 1;
}

static void bucket_bounds(unsigned b, uint64_t *lo, uint64_t *hi) {
  if (b < 1000) *lo = b, *hi = b + 1;
  else if (b < 1900) *lo = 1000 + (uint64_t)(b - 1000) * 10, *hi = *lo + 10;
  else if (b < 2800) *lo = 10000 + (uint64_t)(b - 1900) * 100, *hi = *lo + 100;
  else if (b < 3700) *lo = 100000 + (uint64_t)(b - 2800) * 1000, *hi = *lo + 1000;
  else *lo = 1000000, *hi = 10000000;
}

static uint64_t real_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint8_t buf[BATCH][MAX_PACKET];
static uint8_t ctl[BATCH][CMSG_SPACE_BYTES];
static struct iovec iov[BATCH];
static struct mmsghdr msgs[BATCH];

/* Offset of the end of the RTP payload (padding removed), or 0 when the datagram is not RTP. */
static size_t payload_end(const uint8_t *p, size_t len, size_t *payload_start) {
  if (len < 12 || (p[0] >> 6) != 2) return 0;
  size_t off = 12 + 4u * (p[0] & 0x0f);
  if (p[0] & 0x10) {
    if (off + 4 > len) return 0;
    off += 4 + 4u * ((size_t)p[off + 2] << 8 | p[off + 3]);
  }
  size_t end = len;
  if (p[0] & 0x20) {
    if (p[len - 1] > len) return 0;
    end -= p[len - 1];
  }
  if (end < off) return 0;
  *payload_start = off;
  return end;
}

int main(int argc, char **argv) {
  unsigned sockets = 0, publishers = 0;
  int rcvbuf = 8 << 20;
  long coalesce_us = 500;
  uint64_t max_ms = 600000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const char *k = argv[i], *v = argv[i + 1];
    if (!strcmp(k, "--sockets")) sockets = (unsigned)atoi(v);
    else if (!strcmp(k, "--publishers")) publishers = (unsigned)atoi(v);
    else if (!strcmp(k, "--rcvbuf")) rcvbuf = atoi(v);
    else if (!strcmp(k, "--coalesce-us")) coalesce_us = atol(v);
    else if (!strcmp(k, "--max-ms")) max_ms = strtoull(v, NULL, 10);
    else {
      fprintf(stderr, "receiver: unknown option %s\n", k);
      return 2;
    }
  }
  if (sockets == 0 || publishers == 0 || publishers > 65535) {
    fprintf(stderr, "receiver: need --sockets and --publishers\n");
    return 2;
  }

  int ep = epoll_create1(0);
  int *fds = calloc(sockets, sizeof *fds);
  uint32_t *drops = calloc(sockets, sizeof *drops);
  uint64_t *window_per_socket = calloc(sockets, sizeof *window_per_socket);
  uint64_t *window_per_publisher = calloc(publishers, sizeof *window_per_publisher);
  const int one = 1;
  printf("PORTS");
  for (unsigned i = 0; i < sockets; i++) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (fd < 0) {
      perror("receiver: socket");
      return 1;
    }
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
      perror("receiver: bind");
      return 1;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    fds[i] = fd;
    printf(" %u", ntohs(addr.sin_port));
  }
  printf("\n");
  fflush(stdout);
  struct epoll_event in_ev = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
  epoll_ctl(ep, EPOLL_CTL_ADD, STDIN_FILENO, &in_ev);

  for (int i = 0; i < BATCH; i++) {
    iov[i] = (struct iovec){buf[i], MAX_PACKET};
    msgs[i].msg_hdr = (struct msghdr){.msg_iov = &iov[i], .msg_iovlen = 1};
  }

  uint64_t received = 0, in_window = 0, rtcp = 0, foreign = 0, negative = 0, bad_publisher = 0, max_latency_ns = 0;
  struct epoll_event events[64];
  const uint64_t deadline = mono_ms() + max_ms;
  int running = 1;
  while (running && mono_ms() < deadline) {
    int n = epoll_wait(ep, events, 64, 100);
    if (n < 0 && errno != EINTR) break;
    for (int e = 0; e < n; e++) {
      uint32_t s = events[e].data.u32;
      if (s == UINT32_MAX) {
        char sink[256];
        if (read(STDIN_FILENO, sink, sizeof sink) <= 0) running = 0;
        continue;
      }
      for (;;) {
        for (int i = 0; i < BATCH; i++) {
          msgs[i].msg_hdr.msg_control = ctl[i];
          msgs[i].msg_hdr.msg_controllen = CMSG_SPACE_BYTES;
        }
        int got = recvmmsg(fds[s], msgs, BATCH, MSG_DONTWAIT, NULL);
        if (got <= 0) break;
        uint64_t fallback_ns = real_ns();
        for (int i = 0; i < got; i++) {
          const uint8_t *p = buf[i];
          size_t len = msgs[i].msg_len, start = 0, end;
          uint64_t rx_ns = fallback_ns;
          for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c)) {
            if (c->cmsg_level != SOL_SOCKET) continue;
            if (c->cmsg_type == SO_TIMESTAMPNS) {
              struct timespec ts;
              memcpy(&ts, CMSG_DATA(c), sizeof ts);
              rx_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
            } else if (c->cmsg_type == SO_RXQ_OVFL) {
              memcpy(&drops[s], CMSG_DATA(c), sizeof drops[s]);
            }
          }
          if (len >= 2 && p[1] >= 192 && p[1] <= 223) {
            rtcp++;
            continue;
          }
          Trailer t;
          if (!(end = payload_end(p, len, &start)) || end - start < TRAILER_SIZE || !trailer_read(p + end, &t)) {
            foreign++;
            continue;
          }
          received++;
          if (!(t.flags & TRAILER_IN_WINDOW)) continue;
          if (t.publisher >= publishers) {
            bad_publisher++;
            continue;
          }
          in_window++;
          window_per_socket[s]++;
          window_per_publisher[t.publisher]++;
          if (rx_ns < t.sent_realtime_ns) {
            negative++;
            hist[0]++;
            continue;
          }
          uint64_t lat = rx_ns - t.sent_realtime_ns;
          if (lat > max_latency_ns) max_latency_ns = lat;
          hist[bucket_of(lat / 1000)]++;
        }
        if (got < BATCH) break;
      }
    }
    if (n > 0 && coalesce_us > 0) {
      struct timespec pause = {0, coalesce_us * 1000};
      nanosleep(&pause, NULL);
    }
  }

  uint64_t total_drops = 0;
  for (unsigned i = 0; i < sockets; i++) total_drops += drops[i];
  printf("{\"received\":%llu,\"windowReceived\":%llu,\"rtcp\":%llu,\"foreign\":%llu,\"badPublisher\":%llu,"
         "\"socketDrops\":%llu,\"negativeLatency\":%llu,\"maxLatencyUs\":%llu,\"windowPerPublisher\":[",
         (unsigned long long)received, (unsigned long long)in_window, (unsigned long long)rtcp,
         (unsigned long long)foreign, (unsigned long long)bad_publisher, (unsigned long long)total_drops,
         (unsigned long long)negative, (unsigned long long)(max_latency_ns / 1000));
  for (unsigned i = 0; i < publishers; i++) printf("%s%llu", i ? "," : "", (unsigned long long)window_per_publisher[i]);
  printf("],\"windowPerSocket\":[");
  for (unsigned i = 0; i < sockets; i++) printf("%s%llu", i ? "," : "", (unsigned long long)window_per_socket[i]);
  printf("],\"latencyHistogramUs\":[");
  int first = 1;
  for (unsigned b = 0; b < HIST_BUCKETS; b++) {
    if (!hist[b]) continue;
    uint64_t lo, hi;
    bucket_bounds(b, &lo, &hi);
    printf("%s[%llu,%llu,%llu]", first ? "" : ",", (unsigned long long)lo, (unsigned long long)hi, (unsigned long long)hist[b]);
    first = 0;
  }
  printf("]}\n");
  return 0;
}
