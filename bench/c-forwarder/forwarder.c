/*
 * Fan-out UDP forwarder: the physical limit an SFU core can reach on this machine.
 *
 * One socket, one thread. Each RTP packet is received once (recvmmsg) and sent once per consumer of its SSRC
 * (sendmmsg) with the consumer's SSRC written into a per-copy 12-byte header; the rest of the packet is shared
 * between copies (scatter/gather, no payload copy). RTCP is dropped.
 *
 * usage: forwarder --routes FILE [--rcvbuf BYTES] [--sndbuf BYTES] [--max-ms MS]
 *   FILE: one route per line, "<in-ssrc> <dest-port> <out-ssrc>", destinations on 127.0.0.1.
 * Prints "PORT <port>" once bound, then forwards until stdin closes, SIGTERM or --max-ms; prints a JSON summary.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RECV_BATCH 64
#define SEND_BATCH 1024
#define MAX_PACKET 2048
#define RTP_HEADER 12
#define TABLE_SIZE 4096 /* power of two, > 2 * distinct input SSRCs */

typedef struct {
  struct sockaddr_in dest;
  uint32_t out_ssrc_be;
} Route;

typedef struct {
  uint32_t ssrc;
  uint32_t first; /* index into routes[] */
  uint32_t count;
  int used;
} Slot;

static Slot table[TABLE_SIZE];
static Route *routes;
static size_t route_count;
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static Slot *slot_for(uint32_t ssrc, int insert) {
  uint32_t h = (ssrc * 2654435761u) & (TABLE_SIZE - 1);
  for (uint32_t i = 0; i < TABLE_SIZE; i++) {
    Slot *s = &table[(h + i) & (TABLE_SIZE - 1)];
    if (s->used && s->ssrc == ssrc) return s;
    if (!s->used) {
      if (!insert) return NULL;
      s->used = 1;
      s->ssrc = ssrc;
      return s;
    }
  }
  return NULL;
}

typedef struct {
  uint32_t in_ssrc;
  uint32_t port;
  uint32_t out_ssrc;
} RouteLine;

static int by_ssrc(const void *a, const void *b) {
  uint32_t x = ((const RouteLine *)a)->in_ssrc, y = ((const RouteLine *)b)->in_ssrc;
  return (x > y) - (x < y);
}

static int load_routes(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  size_t cap = 1024, n = 0;
  RouteLine *lines = malloc(cap * sizeof *lines);
  unsigned long in, port, out;
  while (fscanf(f, "%lu %lu %lu", &in, &port, &out) == 3) {
    if (n == cap) lines = realloc(lines, (cap *= 2) * sizeof *lines);
    lines[n++] = (RouteLine){(uint32_t)in, (uint32_t)port, (uint32_t)out};
  }
  fclose(f);
  qsort(lines, n, sizeof *lines, by_ssrc);
  routes = calloc(n ? n : 1, sizeof *routes);
  for (size_t i = 0; i < n; i++) {
    Slot *s = slot_for(lines[i].in_ssrc, 1);
    if (!s) return -1;
    if (s->count == 0) s->first = (uint32_t)i;
    s->count++;
    routes[i].dest.sin_family = AF_INET;
    routes[i].dest.sin_port = htons((uint16_t)lines[i].port);
    routes[i].dest.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    routes[i].out_ssrc_be = htonl(lines[i].out_ssrc);
  }
  route_count = n;
  free(lines);
  return 0;
}

static uint8_t rx_buf[RECV_BATCH][MAX_PACKET];
static struct iovec rx_iov[RECV_BATCH];
static struct mmsghdr rx_msg[RECV_BATCH];

static uint8_t tx_header[SEND_BATCH][RTP_HEADER];
static struct iovec tx_iov[SEND_BATCH][2];
static struct mmsghdr tx_msg[SEND_BATCH];

static uint64_t received, forwarded, rtcp_dropped, unrouted, send_errors, recv_calls, send_calls;

static void flush(int fd, unsigned n) {
  unsigned done = 0;
  while (done < n) {
    int r = sendmmsg(fd, tx_msg + done, n - done, 0);
    send_calls++;
    if (r < 0) {
      if (errno == EINTR) continue;
      send_errors += n - done;
      return;
    }
    forwarded += (uint64_t)r;
    done += (unsigned)r;
  }
}

int main(int argc, char **argv) {
  const char *routes_path = NULL;
  int rcvbuf = 0, sndbuf = 0;
  uint64_t max_ms = 600000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--routes")) routes_path = argv[i + 1];
    else if (!strcmp(argv[i], "--rcvbuf")) rcvbuf = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--sndbuf")) sndbuf = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--max-ms")) max_ms = strtoull(argv[i + 1], NULL, 10);
    else {
      fprintf(stderr, "forwarder: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (!routes_path || load_routes(routes_path) != 0) {
    fprintf(stderr, "forwarder: cannot load routes\n");
    return 2;
  }
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  signal(SIGPIPE, SIG_IGN);

  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  if (sndbuf > 0) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof addr;
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
    perror("forwarder: bind");
    return 1;
  }
  printf("PORT %u\n", ntohs(addr.sin_port));
  fflush(stdout);

  for (int i = 0; i < RECV_BATCH; i++) {
    rx_iov[i] = (struct iovec){rx_buf[i], MAX_PACKET};
    rx_msg[i].msg_hdr = (struct msghdr){.msg_iov = &rx_iov[i], .msg_iovlen = 1};
  }
  for (int i = 0; i < SEND_BATCH; i++) {
    tx_iov[i][0] = (struct iovec){tx_header[i], RTP_HEADER};
    tx_msg[i].msg_hdr = (struct msghdr){.msg_iov = tx_iov[i], .msg_iovlen = 2, .msg_namelen = sizeof(struct sockaddr_in)};
  }

  struct pollfd pfd[2] = {{.fd = fd, .events = POLLIN}, {.fd = STDIN_FILENO, .events = POLLIN}};
  uint64_t deadline = now_ms() + max_ms;
  while (!stop_requested && now_ms() < deadline) {
    int pr = poll(pfd, 2, 100);
    if (pr < 0 && errno != EINTR) break;
    if (pfd[1].revents) {
      char sink[256];
      if (read(STDIN_FILENO, sink, sizeof sink) <= 0) break;
    }
    if (!(pfd[0].revents & POLLIN)) continue;
    for (;;) {
      int n = recvmmsg(fd, rx_msg, RECV_BATCH, MSG_DONTWAIT, NULL);
      recv_calls++;
      if (n <= 0) break;
      unsigned queued = 0;
      for (int i = 0; i < n; i++) {
        unsigned plen = rx_msg[i].msg_len;
        const uint8_t *p = rx_buf[i];
        received++;
        if (plen < RTP_HEADER || (p[0] >> 6) != 2) continue;
        if (p[1] >= 192 && p[1] <= 223) {
          rtcp_dropped++;
          continue;
        }
        uint32_t ssrc = ((uint32_t)p[8] << 24) | ((uint32_t)p[9] << 16) | ((uint32_t)p[10] << 8) | p[11];
        Slot *s = slot_for(ssrc, 0);
        if (!s) {
          unrouted++;
          continue;
        }
        for (uint32_t r = s->first; r < s->first + s->count; r++) {
          if (queued == SEND_BATCH) {
            flush(fd, queued);
            queued = 0;
          }
          memcpy(tx_header[queued], p, 8);
          memcpy(tx_header[queued] + 8, &routes[r].out_ssrc_be, 4);
          tx_iov[queued][1] = (struct iovec){(void *)(p + RTP_HEADER), plen - RTP_HEADER};
          tx_msg[queued].msg_hdr.msg_name = &routes[r].dest;
          queued++;
        }
      }
      if (queued) flush(fd, queued);
      if (n < RECV_BATCH) break;
    }
  }
  printf("{\"received\":%llu,\"forwarded\":%llu,\"rtcpDropped\":%llu,\"unrouted\":%llu,\"sendErrors\":%llu,"
         "\"recvCalls\":%llu,\"sendCalls\":%llu,\"routes\":%zu}\n",
         (unsigned long long)received, (unsigned long long)forwarded, (unsigned long long)rtcp_dropped,
         (unsigned long long)unrouted, (unsigned long long)send_errors, (unsigned long long)recv_calls,
         (unsigned long long)send_calls, route_count);
  return 0;
}
