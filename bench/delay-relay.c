/* tidings-bench-relay LISTEN_ADDR LISTEN_PORT TARGET_ADDR TARGET_PORT DELAY_US
 *
 * A TCP relay that holds every chunk it reads DELAY_US microseconds before writing it to
 * the other side, in both directions (and the end of a stream too): a stand-in for tc
 * netem on a kernel without it. One thread, epoll, and a timerfd for the next due chunk;
 * as the delay is the same for all, one FIFO queue is in due order. Writes block (fine for
 * a database protocol's small messages). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

struct pair;
struct side { int fd; struct pair *pair; int index; };
struct pair { struct side sides[2]; int eof[2]; int pending; int dead; };
struct item { struct item *next; uint64_t due; struct pair *pair; int to; size_t len; char data[]; };

static struct item *head, *tail;
static uint64_t delay_ns;
static int ep;
static struct side listener = { -1, NULL, -1 }, timer = { -1, NULL, -2 };

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void arm(void) {
    struct itimerspec spec;
    memset(&spec, 0, sizeof spec);
    if (head) {
        spec.it_value.tv_sec = (time_t)(head->due / 1000000000u);
        spec.it_value.tv_nsec = (long)(head->due % 1000000000u);
    }
    timerfd_settime(timer.fd, TFD_TIMER_ABSTIME, &spec, NULL);
}

static void stop_reading(struct pair *p, int index) {
    if (p->eof[index]) return;
    p->eof[index] = 1;
    epoll_ctl(ep, EPOLL_CTL_DEL, p->sides[index].fd, NULL);
}

static void maybe_free(struct pair *p) {
    if (p->pending > 0 || !p->eof[0] || !p->eof[1]) return;
    close(p->sides[0].fd);
    close(p->sides[1].fd);
    free(p);
}

static void enqueue(struct pair *p, int to, const char *data, size_t len) {
    struct item *item = malloc(sizeof *item + len);
    if (!item) { perror("malloc"); exit(1); }
    item->next = NULL;
    item->due = now_ns() + delay_ns;
    item->pair = p;
    item->to = to;
    item->len = len;
    if (len) memcpy(item->data, data, len);
    p->pending++;
    if (tail) tail->next = item; else head = item;
    tail = item;
}

static void deliver_due(void) {
    uint64_t now = now_ns();
    while (head && head->due <= now) {
        struct item *item = head;
        head = item->next;
        if (!head) tail = NULL;
        struct pair *p = item->pair;
        p->pending--;
        if (!p->dead) {
            int fd = p->sides[item->to].fd;
            if (item->len == 0) {
                shutdown(fd, SHUT_WR);
            } else {
                size_t done = 0;
                while (done < item->len) {
                    ssize_t n = send(fd, item->data + done, item->len - done, MSG_NOSIGNAL);
                    if (n < 0 && errno == EINTR) continue;
                    if (n <= 0) { p->dead = 1; stop_reading(p, 0); stop_reading(p, 1); break; }
                    done += (size_t)n;
                }
            }
        }
        free(item);
        maybe_free(p);
    }
}

static int tcp_socket(const char *addr, int port, struct sockaddr_in *sa) {
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, addr, &sa->sin_addr) != 1) { fprintf(stderr, "bad address %s\n", addr); exit(2); }
    return socket(AF_INET, SOCK_STREAM, 0);
}

static void accept_all(const char *target, int target_port) {
    for (;;) {
        int client = accept4(listener.fd, NULL, NULL, 0);
        if (client < 0) return;  /* EAGAIN: the listener is non-blocking */
        struct sockaddr_in sa;
        int server = tcp_socket(target, target_port, &sa);
        if (server < 0 || connect(server, (struct sockaddr *)&sa, sizeof sa) < 0) {
            perror("connect to target");
            close(client);
            if (server >= 0) close(server);
            continue;
        }
        int one = 1;
        setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct pair *p = calloc(1, sizeof *p);
        if (!p) { perror("calloc"); exit(1); }
        p->sides[0] = (struct side){ client, p, 0 };
        p->sides[1] = (struct side){ server, p, 1 };
        for (int i = 0; i < 2; i++) {
            struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &p->sides[i] };
            epoll_ctl(ep, EPOLL_CTL_ADD, p->sides[i].fd, &ev);
        }
    }
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s LISTEN_ADDR LISTEN_PORT TARGET_ADDR TARGET_PORT DELAY_US\n", argv[0]);
        return 2;
    }
    delay_ns = (uint64_t)strtoull(argv[5], NULL, 10) * 1000u;
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);  /* wake at the due time, not up to 50 us later */
    struct sockaddr_in sa;
    listener.fd = tcp_socket(argv[1], atoi(argv[2]), &sa);
    int one = 1;
    setsockopt(listener.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(listener.fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(listener.fd, 512) < 0) {
        perror("listen");
        return 1;
    }
    fcntl(listener.fd, F_SETFL, fcntl(listener.fd, F_GETFL) | O_NONBLOCK);
    timer.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &listener };
    epoll_ctl(ep, EPOLL_CTL_ADD, listener.fd, &ev);
    ev.data.ptr = &timer;
    epoll_ctl(ep, EPOLL_CTL_ADD, timer.fd, &ev);
    fprintf(stderr, "relay %s:%s -> %s:%s, %s us each way\n", argv[1], argv[2], argv[3], argv[4], argv[5]);

    static char buffer[65536];
    struct epoll_event events[64];
    for (;;) {
        int n = epoll_wait(ep, events, 64, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            perror("epoll_wait");
            return 1;
        }
        for (int i = 0; i < n; i++) {
            struct side *s = events[i].data.ptr;
            if (s == &listener) {
                accept_all(argv[3], atoi(argv[4]));
            } else if (s == &timer) {
                uint64_t expirations;
                while (read(timer.fd, &expirations, sizeof expirations) > 0) {}
            } else if (!s->pair->eof[s->index] && !s->pair->dead) {
                ssize_t got = read(s->fd, buffer, sizeof buffer);
                if (got < 0 && errno == EINTR) continue;
                if (got > 0) {
                    enqueue(s->pair, 1 - s->index, buffer, (size_t)got);
                } else {
                    /* End of stream or an error: pass the end on, after the delay too. */
                    stop_reading(s->pair, s->index);
                    enqueue(s->pair, 1 - s->index, NULL, 0);
                }
            }
        }
        deliver_due();
        arm();
    }
}
