/* lab-watch: the lab's signal recorder, a plain sd-bus client of the daemon.
 *
 *   lab-watch [ADDRESS]
 *
 * Subscribes to every signal of org.sriov.Monitor1 on the system bus (or on
 * the peer-to-peer ADDRESS, e.g. unix:path=/run/sriov-monitor/private) and
 * prints one line per signal, stamped with CLOCK_MONOTONIC when it arrived
 * (the clock of `udevadm monitor`'s KERNEL[...] and UDEV[...] stamps):
 *
 *   123.456789 DeviceEvent pci created 0000:01:10.0 /org/.../pci_0000_01_10_0
 *   123.456789 InterfacesAdded /org/.../pci_0000_01_10_0 PciAddress=0000:01:10.0 ...
 *   123.456789 InterfacesRemoved /org/.../pci_0000_01_10_0
 *   123.456789 PropertiesChanged /org/... org.sriov.Monitor1.Device Driver=igbvf NetDevices=[enp1s0v0]
 *
 * It prints "ready" once subscribed, flushes every line, and exits on
 * SIGTERM. Part of the lab only: it is compiled inside the guest. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

static void print_basic(sd_bus_message *m, char type) {
        union {
                const char *s;
                uint8_t y;
                int b;
                int16_t n;
                uint16_t q;
                int32_t i;
                uint32_t u;
                int64_t x;
                uint64_t t;
                double d;
        } v;

        if (sd_bus_message_read_basic(m, type, &v) < 0) {
                printf("?");
                return;
        }
        switch (type) {
        case 's': case 'o': case 'g': printf("%s", v.s); break;
        case 'y': printf("%u", v.y); break;
        case 'b': printf("%s", v.b ? "true" : "false"); break;
        case 'n': printf("%d", v.n); break;
        case 'q': printf("%u", v.q); break;
        case 'i': printf("%" PRIi32, v.i); break;
        case 'u': printf("%" PRIu32, v.u); break;
        case 'x': printf("%" PRIi64, v.x); break;
        case 't': printf("%" PRIu64, v.t); break;
        case 'd': printf("%g", v.d); break;
        default: printf("?");
        }
}

/* A variant of a basic type or an array of one; anything else as "...". */
static void print_variant(sd_bus_message *m) {
        const char *contents = NULL;
        char type;

        if (sd_bus_message_peek_type(m, &type, &contents) < 0 ||
            sd_bus_message_enter_container(m, 'v', contents) < 0) {
                printf("?");
                return;
        }
        if (contents[0] == 'a' && contents[1] && !contents[2] && contents[1] != '{') {
                char elem = contents[1];
                int first = 1;

                printf("[");
                if (sd_bus_message_enter_container(m, 'a', contents + 1) >= 0) {
                        while (sd_bus_message_at_end(m, 0) == 0) {
                                if (!first)
                                        printf(",");
                                first = 0;
                                print_basic(m, elem);
                        }
                        (void) sd_bus_message_exit_container(m);
                }
                printf("]");
        } else if (contents[0] && !contents[1])
                print_basic(m, contents[0]);
        else {
                printf("...");
                (void) sd_bus_message_skip(m, contents);
        }
        (void) sd_bus_message_exit_container(m);
}

/* Inside an a{sv}: " name=value" for each entry. */
static void print_properties(sd_bus_message *m) {
        while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
                const char *name;

                if (sd_bus_message_read(m, "s", &name) < 0)
                        break;
                printf(" %s=", name);
                print_variant(m);
                (void) sd_bus_message_exit_container(m);
        }
}

static int on_signal(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *member = sd_bus_message_get_member(m), *path = sd_bus_message_get_path(m);
        struct timespec ts;

        (void) userdata;
        (void) error;
        if (!sd_bus_message_is_signal(m, NULL, NULL) || !member || !path)
                return 0;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        printf("%lld.%06ld %s", (long long) ts.tv_sec, ts.tv_nsec / 1000, member);

        if (!strcmp(member, "DeviceEvent")) {
                const char *type, *action, *device, *object;
                uint64_t stamp;

                if (sd_bus_message_read(m, "ssso", &type, &action, &device, &object) >= 0 &&
                    sd_bus_message_read(m, "t", &stamp) >= 0)
                        printf(" %s %s %s %s", type, action, device, object);
        } else if (!strcmp(member, "InterfacesRemoved")) {
                const char *object;

                if (sd_bus_message_read(m, "o", &object) >= 0)
                        printf(" %s", object);
        } else if (!strcmp(member, "InterfacesAdded")) {
                const char *object, *iface;

                /* The object, then every property of every interface. */
                if (sd_bus_message_read(m, "o", &object) >= 0 &&
                    sd_bus_message_enter_container(m, 'a', "{sa{sv}}") >= 0) {
                        printf(" %s", object);
                        while (sd_bus_message_enter_container(m, 'e', "sa{sv}") > 0) {
                                if (sd_bus_message_read(m, "s", &iface) < 0 ||
                                    sd_bus_message_enter_container(m, 'a', "{sv}") < 0)
                                        break;
                                print_properties(m);
                                (void) sd_bus_message_exit_container(m);
                                (void) sd_bus_message_exit_container(m);
                        }
                }
        } else if (!strcmp(member, "PropertiesChanged")) {
                const char *iface;

                printf(" %s", path);
                if (sd_bus_message_read(m, "s", &iface) >= 0 &&
                    sd_bus_message_enter_container(m, 'a', "{sv}") >= 0) {
                        printf(" %s", iface);
                        print_properties(m);
                }
        } else
                printf(" %s", path);
        printf("\n");
        fflush(stdout);
        return 0;
}

int main(int argc, char *argv[]) {
        sd_bus *bus = NULL;
        sd_event *event = NULL;
        int r;

        if (argc > 1) {
                r = sd_bus_new(&bus);
                if (r >= 0)
                        r = sd_bus_set_address(bus, argv[1]);
                if (r >= 0)
                        r = sd_bus_set_bus_client(bus, 1);
                if (r >= 0)
                        r = sd_bus_start(bus);
        } else
                r = sd_bus_open_system(&bus);
        if (r < 0) {
                fprintf(stderr, "lab-watch: cannot connect: %s\n", strerror(-r));
                return 1;
        }
        /* On the private socket signals carry no sender: match without one. */
        r = sd_bus_add_match(bus, NULL,
                             argc > 1 ? "type='signal'" : "type='signal',sender='org.sriov.Monitor1'",
                             on_signal, NULL);
        if (r < 0) {
                fprintf(stderr, "lab-watch: cannot subscribe: %s\n", strerror(-r));
                return 1;
        }
        r = sd_event_default(&event);
        if (r >= 0)
                r = sd_bus_attach_event(bus, event, 0);
        if (r < 0) {
                fprintf(stderr, "lab-watch: no event loop: %s\n", strerror(-r));
                return 1;
        }
        /* A round trip, so the match is in place before we say ready. */
        (void) sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                  "org.freedesktop.DBus", "GetId", NULL, NULL, "");
        printf("ready\n");
        fflush(stdout);
        r = sd_event_loop(event);
        sd_bus_flush_close_unref(bus);
        sd_event_unref(event);
        return r < 0 ? 1 : 0;
}
