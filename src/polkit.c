/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "bus-names.h"
#include "log.h"
#include "macro.h"
#include "polkit.h"

#define POLKIT_NAME "org.freedesktop.PolicyKit1"
#define POLKIT_PATH "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_IFACE "org.freedesktop.PolicyKit1.Authority"
#define POLKIT_FLAG_ALLOW_USER_INTERACTION 1u

struct AuthQuery {
        Polkit *owner;
        void *userdata;
        sd_bus_message *call;    /* answered through done() */
        sd_bus_slot *check;      /* CheckAuthorization in flight */
        sd_bus_slot *caller_gone; /* NameOwnerChanged of the caller */
        auth_done_t done;
        AuthQuery *next, *prev;
};

static AuthQuery *auth_query_free(AuthQuery *q) {
        if (!q)
                return NULL;
        /* Unreffing the slots cancels the call and the match: no callback later. */
        sd_bus_slot_unref(q->check);
        sd_bus_slot_unref(q->caller_gone);
        sd_bus_message_unref(q->call);
        if (q->prev)
                q->prev->next = q->next;
        else if (q->owner->queries == q)
                q->owner->queries = q->next;
        if (q->next)
                q->next->prev = q->prev;
        free(q);
        return NULL;
}

/* Each refusal says what to do about it; the error names are the contract. */
int polkit_reply_refusal(sd_bus_message *call, AuthResult result) {
        switch (result) {
        case AUTH_INTERACTIVE_REQUIRED:
                return sd_bus_reply_method_errorf(
                        call, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
                        "Interactive authentication is required: run as root, or allow interactive "
                        "authorization (busctl --allow-interactive-authorization=yes, gdbus call --interactive) "
                        "with a polkit agent running (e.g. pkttyagent).");
        case AUTH_UNAVAILABLE:
                return sd_bus_reply_method_errorf(call, SD_BUS_ERROR_ACCESS_DENIED,
                                                  "Access denied: polkit could not be reached to authorize the "
                                                  "caller; run as root.");
        default:
                if (sd_bus_is_bus_client(sd_bus_message_get_bus(call)) <= 0)
                        return sd_bus_reply_method_errorf(call, SD_BUS_ERROR_ACCESS_DENIED,
                                                          "Access denied: on the private socket only root may "
                                                          "refresh; run as root, or call it on the system bus.");
                return sd_bus_reply_method_errorf(call, SD_BUS_ERROR_ACCESS_DENIED,
                                                  "Access denied: refreshing needs authorization (polkit action "
                                                  "%s); run as root, or with a polkit agent running "
                                                  "(e.g. pkttyagent) and interactive authorization allowed.",
                                                  POLKIT_ACTION_REFRESH);
        }
}

static void finish(AuthQuery *q, AuthResult result) {
        void *userdata = q->userdata;
        sd_bus_message *call = sd_bus_message_ref(q->call);
        auth_done_t done = q->done;

        auth_query_free(q);
        done(userdata, call, result);
        sd_bus_message_unref(call);
}

static int on_check_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        AuthQuery *q = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        int authorized = 0, challenge = 0, r;

        if (e) {
                log_warning("polkit did not answer (%s: %s); denying.", e->name, e->message);
                finish(q, AUTH_UNAVAILABLE);
                return 0;
        }
        r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
        if (r >= 0)
                r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
        if (r < 0) {
                log_warning_errno(r, "polkit answered nonsense (%m); denying.");
                finish(q, AUTH_UNAVAILABLE);
                return 0;
        }
        if (authorized)
                finish(q, AUTH_ALLOWED);
        else if (challenge && !sd_bus_message_get_allow_interactive_authorization(q->call))
                finish(q, AUTH_INTERACTIVE_REQUIRED);
        else
                finish(q, AUTH_DENIED);
        return 0;
}

static int on_caller_gone(sd_bus_message *signal, void *userdata, sd_bus_error *ret_error) {
        AuthQuery *q = userdata;
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(signal, "sss", &name, &old_owner, &new_owner) < 0 || !isempty(new_owner))
                return 0;
        /* Nobody to act for any more: drop the check, run nothing. */
        log_debug("%s disconnected while polkit was deciding; dropping its request.", name);
        auth_query_free(q);
        return 0;
}

static int send_check(AuthQuery *q, const char *sender, const char *action) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *req = NULL;
        sd_bus *bus = sd_bus_message_get_bus(q->call);
        uint32_t flags = sd_bus_message_get_allow_interactive_authorization(q->call)
                                 ? POLKIT_FLAG_ALLOW_USER_INTERACTION : 0;
        char match[256];
        int r;

        /* Watch the caller first, so a disconnect cannot slip between. */
        (void) snprintf(match, sizeof(match),
                        "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                        "interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='%s'",
                        sender);
        r = sd_bus_add_match_async(bus, &q->caller_gone, match, on_caller_gone, NULL, q);
        if (r < 0)
                return r;

        r = sd_bus_message_new_method_call(bus, &req, POLKIT_NAME, POLKIT_PATH, POLKIT_IFACE, "CheckAuthorization");
        if (r < 0)
                return r;
        /* The subject is the caller's unique bus name, never a PID that can be reused. */
        r = sd_bus_message_append(req, "(sa{sv})sa{ss}us", "system-bus-name", 1, "name", "s", sender, action, 0,
                                  flags, "");
        if (r < 0)
                return r;
        return sd_bus_call_async(bus, &q->check, req, on_check_reply, q, 0);
}

int polkit_authorize(Polkit *p, sd_bus_message *call, const char *action, auth_done_t done, void *userdata) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        sd_bus *bus = sd_bus_message_get_bus(call);
        const char *sender = sd_bus_message_get_sender(call);
        AuthQuery *q;
        uid_t euid;
        int r;

        /* The effective uid, asked for explicitly: not "privileged", which
         * would also let in callers sharing our own uid. */
        r = sd_bus_query_sender_creds(call, SD_BUS_CREDS_EUID, &creds);
        if (r >= 0)
                r = sd_bus_creds_get_euid(creds, &euid);
        if (r >= 0 && euid == 0) {
                done(userdata, call, AUTH_ALLOWED);
                return 0;
        }
        if (r < 0)
                log_debug_errno(r, "Cannot tell the caller's uid (%m); asking polkit.");

        /* A peer on the private socket has no bus name for polkit: root only. */
        if (!sender || sd_bus_is_bus_client(bus) <= 0) {
                done(userdata, call, AUTH_DENIED);
                return 0;
        }

        q = calloc(1, sizeof(AuthQuery));
        if (!q)
                return -ENOMEM;
        *q = (AuthQuery) { .owner = p, .userdata = userdata, .call = sd_bus_message_ref(call), .done = done, .next = p->queries };
        if (q->next)
                q->next->prev = q;
        p->queries = q;

        r = send_check(q, sender, action);
        if (r < 0) {
                log_warning_errno(r, "Cannot ask polkit (%m); denying.");
                finish(q, AUTH_UNAVAILABLE);
        }
        return 0;
}

void polkit_done(Polkit *p) {
        while (p->queries)
                auth_query_free(p->queries);
}
