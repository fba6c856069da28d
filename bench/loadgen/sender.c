/*
 * Publisher side of the load generator: replays a recorded-like VP8 + Opus RTP trace for every publisher, each
 * from its own UDP socket (its own 5-tuple, as comedia expects), paced on CLOCK_MONOTONIC.
 *
 * Per publisher and stream it rewrites SSRC, sequence number and RTP timestamp so the stream stays continuous
 * across trace loops, and stamps every payload's trailer (trailer.h) with CLOCK_REALTIME right before sending.
 * VP8 PictureIDs are renumbered per publisher so they stay continuous too.
 * The first video frame, and the next one after a PLI or FIR (at most one per 300 ms), is replaced by the trace's
 * standalone keyframe so a forwarder's consumers can start as soon as they exist.
 *
 * usage: sender --trace FILE --dest PORT[,PORT...] --ssrc-base N --warmup-ms MS --measure-ms MS --tail-ms MS
 *               [--rate-scale X] [--max-ms MS]
 *   one PORT per publisher (on 127.0.0.1); publisher p sends video with SSRC base+2p and audio with base+2p+1.
 * Prints "WINDOW_START" and "WINDOW_END" when the measurement window opens and closes, then a JSON summary
 * (lateness figures cover the window only).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "trailer.h"

#define MAX_PUBLISHERS 512
#define MAX_PACKET 2048
#define STREAM_AUDIO 0
#define STREAM_VIDEO 1
#define FLAG_FRAME_START 0x2
#define FLAG_KEYFRAME 0x4
#define FLAG_VP8_PICTURE_ID 0x8
#define VP8_PICTURE_ID_AT 14 /* RTP header (12) + descriptor bytes X|S|PID and I|L|T|K (RFC 7741 4.2) */
#define KEYFRAME_MIN_GAP_NS 300000000ull

typedef struct {
  uint32_t time_us;
  uint8_t stream;
  uint8_t flags;
  uint16_t len;
  const uint8_t *data;
} Record;

typedef struct {
  uint32_t duration_us;
  uint32_t loop_ticks[2];
  uint32_t timeline_count;
  uint32_t keyframe_count;
  Record *timeline;
  Record *keyframe;
} Trace;

typedef struct {
  int fd;
  struct sockaddr_in dest;
  uint32_t ssrc[2];
  uint16_t seq[2];
  uint32_t ts_base[2];
  uint32_t cursor;
  uint64_t loop;
  uint64_t phase_us;
  uint16_t picture_id;
  int key_pending;
  int skipping_video;
  uint64_t last_key_ns;
  uint64_t window_sent[2];
  uint64_t sent[2];
} Publisher;

static Trace trace;
static Publisher pubs[MAX_PUBLISHERS];
static unsigned pub_count;
static double rate_scale = 1.0;
static uint64_t keyframes_sent, plis_received, rtcp_received, send_errors, late_over_1ms, max_lag_ns;

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t real_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint32_t rd32le(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint32_t rd32be(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static int load_trace(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *buf = malloc((size_t)size);
  if (fread(buf, 1, (size_t)size, f) != (size_t)size) return -1;
  fclose(f);
  if (size < 24 || memcmp(buf, "CVT1", 4) != 0) return -1;
  trace.duration_us = rd32le(buf + 4);
  trace.loop_ticks[STREAM_VIDEO] = rd32le(buf + 8);
  trace.loop_ticks[STREAM_AUDIO] = rd32le(buf + 12);
  trace.timeline_count = rd32le(buf + 16);
  trace.keyframe_count = rd32le(buf + 20);
  uint32_t total = trace.timeline_count + trace.keyframe_count;
  Record *all = calloc(total, sizeof *all);
  size_t off = 24;
  for (uint32_t i = 0; i < total; i++) {
    if (off + 8 > (size_t)size) return -1;
    all[i].time_us = rd32le(buf + off);
    all[i].stream = buf[off + 4];
    all[i].flags = buf[off + 5];
    all[i].len = (uint16_t)(buf[off + 6] | buf[off + 7] << 8);
    all[i].data = buf + off + 8;
    off += 8 + all[i].len;
    if (off > (size_t)size || all[i].len < 12 + TRAILER_SIZE || all[i].len > MAX_PACKET) return -1;
  }
  trace.timeline = all;
  trace.keyframe = all + trace.timeline_count;
  return trace.timeline_count > 0 && trace.keyframe_count > 0 ? 0 : -1;
}

static uint64_t due_ns(const Publisher *p) {
  const Record *r = &trace.timeline[p->cursor];
  double trace_us = (double)p->loop * trace.duration_us + r->time_us - (double)p->phase_us;
  return (uint64_t)(trace_us * 1000.0 / rate_scale);
}

static void advance(Publisher *p) {
  if (++p->cursor == trace.timeline_count) {
    p->cursor = 0;
    p->loop++;
  }
}

static void send_record(Publisher *p, unsigned index, const Record *r, uint32_t rtp_ts, int in_window) {
  uint8_t pkt[MAX_PACKET];
  memcpy(pkt, r->data, r->len);
  uint16_t seq = p->seq[r->stream]++;
  uint32_t ts = p->ts_base[r->stream] + rtp_ts;
  uint32_t ssrc = p->ssrc[r->stream];
  pkt[2] = (uint8_t)(seq >> 8);
  pkt[3] = (uint8_t)seq;
  pkt[4] = (uint8_t)(ts >> 24);
  pkt[5] = (uint8_t)(ts >> 16);
  pkt[6] = (uint8_t)(ts >> 8);
  pkt[7] = (uint8_t)ts;
  pkt[8] = (uint8_t)(ssrc >> 24);
  pkt[9] = (uint8_t)(ssrc >> 16);
  pkt[10] = (uint8_t)(ssrc >> 8);
  pkt[11] = (uint8_t)ssrc;
  if (r->flags & FLAG_VP8_PICTURE_ID) {
    pkt[VP8_PICTURE_ID_AT] = (uint8_t)(0x80 | ((p->picture_id >> 8) & 0x7f));
    pkt[VP8_PICTURE_ID_AT + 1] = (uint8_t)p->picture_id;
  }
  Trailer t = {TRAILER_MAGIC, (uint16_t)index, in_window ? TRAILER_IN_WINDOW : 0, real_ns()};
  trailer_write(pkt + r->len, &t);
  if (sendto(p->fd, pkt, r->len, 0, (struct sockaddr *)&p->dest, sizeof p->dest) != r->len) {
    send_errors++;
    return;
  }
  p->sent[r->stream]++;
  if (in_window) p->window_sent[r->stream]++;
}

static uint32_t record_rtp_ts(const Publisher *p, const Record *r) {
  return (uint32_t)(p->loop * trace.loop_ticks[r->stream]) + rd32be(r->data + 4);
}

static void play_record(Publisher *p, unsigned index, int in_window, uint64_t now) {
  const Record *r = &trace.timeline[p->cursor];
  if (r->stream == STREAM_AUDIO) {
    send_record(p, index, r, record_rtp_ts(p, r), in_window);
    return;
  }
  if (r->flags & FLAG_FRAME_START) {
    p->skipping_video = 0;
    p->picture_id = (uint16_t)((p->picture_id + 1) & 0x7fff);
    if (r->flags & FLAG_KEYFRAME) {
      p->key_pending = 0;
      p->last_key_ns = now;
    } else if (p->key_pending) {
      uint32_t ts = record_rtp_ts(p, r);
      for (uint32_t k = 0; k < trace.keyframe_count; k++) send_record(p, index, &trace.keyframe[k], ts, in_window);
      keyframes_sent++;
      p->key_pending = 0;
      p->last_key_ns = now;
      p->skipping_video = 1;
      return;
    }
  }
  if (!p->skipping_video) send_record(p, index, r, record_rtp_ts(p, r), in_window);
}

static void handle_rtcp(Publisher *p, const uint8_t *b, ssize_t len, uint64_t now) {
  rtcp_received++;
  ssize_t off = 0;
  while (off + 12 <= len) {
    const uint8_t *h = b + off;
    ssize_t size = ((ssize_t)((h[2] << 8) | h[3]) + 1) * 4;
    unsigned fmt = h[0] & 0x1f;
    int key_request = h[1] == 206 && (fmt == 1 || fmt == 4);
    if (key_request) plis_received++;
    if (key_request && now - p->last_key_ns >= KEYFRAME_MIN_GAP_NS) p->key_pending = 1;
    if (size <= 0) break;
    off += size;
  }
}

static unsigned parse_ports(char *list, uint16_t *ports) {
  unsigned n = 0;
  for (char *tok = strtok(list, ","); tok && n < MAX_PUBLISHERS; tok = strtok(NULL, ",")) ports[n++] = (uint16_t)atoi(tok);
  return n;
}

int main(int argc, char **argv) {
  const char *trace_path = NULL;
  char *dest_list = NULL;
  uint32_t ssrc_base = 0x10000000u;
  uint64_t warmup_ms = 1000, measure_ms = 2000, tail_ms = 200, max_ms = 600000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const char *k = argv[i], *v = argv[i + 1];
    if (!strcmp(k, "--trace")) trace_path = v;
    else if (!strcmp(k, "--dest")) dest_list = argv[i + 1];
    else if (!strcmp(k, "--ssrc-base")) ssrc_base = (uint32_t)strtoul(v, NULL, 10);
    else if (!strcmp(k, "--warmup-ms")) warmup_ms = strtoull(v, NULL, 10);
    else if (!strcmp(k, "--measure-ms")) measure_ms = strtoull(v, NULL, 10);
    else if (!strcmp(k, "--tail-ms")) tail_ms = strtoull(v, NULL, 10);
    else if (!strcmp(k, "--max-ms")) max_ms = strtoull(v, NULL, 10);
    else if (!strcmp(k, "--rate-scale")) rate_scale = strtod(v, NULL);
    else {
      fprintf(stderr, "sender: unknown option %s\n", k);
      return 2;
    }
  }
  if (!trace_path || load_trace(trace_path) != 0) {
    fprintf(stderr, "sender: cannot load trace\n");
    return 2;
  }
  uint16_t ports[MAX_PUBLISHERS];
  pub_count = dest_list ? parse_ports(dest_list, ports) : 0;
  if (pub_count == 0 || !(rate_scale > 0.0 && rate_scale <= 1.0)) {
    fprintf(stderr, "sender: need --dest and 0 < --rate-scale <= 1\n");
    return 2;
  }

  struct pollfd pfds[MAX_PUBLISHERS];
  srand48((long)mono_ns());
  for (unsigned i = 0; i < pub_count; i++) {
    Publisher *p = &pubs[i];
    p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in local = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (p->fd < 0 || bind(p->fd, (struct sockaddr *)&local, sizeof local) != 0) {
      perror("sender: socket");
      return 1;
    }
    p->dest = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(ports[i]), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    p->ssrc[STREAM_VIDEO] = ssrc_base + 2 * i;
    p->ssrc[STREAM_AUDIO] = ssrc_base + 2 * i + 1;
    for (int s = 0; s < 2; s++) {
      p->seq[s] = (uint16_t)lrand48();
      p->ts_base[s] = (uint32_t)lrand48();
    }
    /* Staggered start so publishers' keyframes and frame bursts do not line up. */
    p->phase_us = (uint64_t)trace.duration_us * i / pub_count;
    while (p->cursor < trace.timeline_count && trace.timeline[p->cursor].time_us < p->phase_us) p->cursor++;
    if (p->cursor == trace.timeline_count) {
      p->cursor = 0;
      p->loop = 1;
    }
    p->key_pending = 1;
    pfds[i] = (struct pollfd){.fd = p->fd, .events = POLLIN};
  }

  const uint64_t window_start = warmup_ms * 1000000ull, window_end = window_start + measure_ms * 1000000ull;
  const uint64_t end = window_end + tail_ms * 1000000ull, hard_end = max_ms * 1000000ull;
  const uint64_t t0 = mono_ns();
  int in_window = 0, window_done = 0;
  uint8_t rtcp[MAX_PACKET];
  for (;;) {
    uint64_t now = mono_ns(), elapsed = now - t0;
    if (elapsed >= end || elapsed >= hard_end) break;
    if (!in_window && !window_done && elapsed >= window_start) {
      in_window = 1;
      printf("WINDOW_START\n");
      fflush(stdout);
    }
    if (in_window && elapsed >= window_end) {
      in_window = 0;
      window_done = 1;
      printf("WINDOW_END\n");
      fflush(stdout);
    }
    uint64_t next = end;
    for (unsigned i = 0; i < pub_count; i++) {
      Publisher *p = &pubs[i];
      uint64_t due;
      while ((due = due_ns(p)) <= elapsed) {
        uint64_t lag = elapsed - due;
        if (in_window && lag > max_lag_ns) max_lag_ns = lag;
        if (in_window && lag > 1000000ull) late_over_1ms++;
        play_record(p, i, in_window, now);
        advance(p);
      }
      if (due < next) next = due;
    }
    if (!window_done && !in_window && window_start < next) next = window_start;
    if (in_window && window_end < next) next = window_end;
    uint64_t wait = next > elapsed ? next - elapsed : 0;
    struct timespec timeout = {(time_t)(wait / 1000000000ull), (long)(wait % 1000000000ull)};
    if (ppoll(pfds, pub_count, &timeout, NULL) > 0) {
      for (unsigned i = 0; i < pub_count; i++) {
        if (!(pfds[i].revents & POLLIN)) continue;
        ssize_t n;
        while ((n = recv(pubs[i].fd, rtcp, sizeof rtcp, 0)) > 0) handle_rtcp(&pubs[i], rtcp, n, mono_ns());
      }
    }
  }

  printf("{\"publishers\":%u,\"rateScale\":%g,\"windowSent\":[", pub_count, rate_scale);
  uint64_t total = 0;
  for (unsigned i = 0; i < pub_count; i++) {
    printf("%s[%llu,%llu]", i ? "," : "", (unsigned long long)pubs[i].window_sent[STREAM_VIDEO],
           (unsigned long long)pubs[i].window_sent[STREAM_AUDIO]);
    total += pubs[i].sent[0] + pubs[i].sent[1];
  }
  printf("],\"sentTotal\":%llu,\"keyframesOnRequest\":%llu,\"keyframeRequests\":%llu,\"rtcpReceived\":%llu,"
         "\"sendErrors\":%llu,\"lateOver1ms\":%llu,\"maxLagUs\":%llu}\n",
         (unsigned long long)total, (unsigned long long)keyframes_sent, (unsigned long long)plis_received,
         (unsigned long long)rtcp_received, (unsigned long long)send_errors, (unsigned long long)late_over_1ms,
         (unsigned long long)(max_lag_ns / 1000));
  return 0;
}
