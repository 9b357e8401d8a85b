/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-bus.h>

typedef struct AuthQuery AuthQuery;

/* The checks in flight; freeing it cancels them without answering. */
typedef struct Polkit {
        AuthQuery *queries;
} Polkit;

void polkit_done(Polkit *p);

/* What an authorization check decided. */
typedef enum AuthResult {
        AUTH_ALLOWED,
        AUTH_DENIED,
        AUTH_INTERACTIVE_REQUIRED, /* polkit wants to ask, but the caller did not allow it */
        AUTH_UNAVAILABLE,          /* polkit absent, failing or answering nonsense: fail closed */
} AuthResult;

/* Called once with the decision for `call`; not at all if the caller
 * disconnected before polkit answered. */
typedef void (*auth_done_t)(void *userdata, sd_bus_message *call, AuthResult result);

/* Authorizes the sender of `call` for a polkit action. Root (the sender's
 * effective uid 0) is allowed at once; on a peer-to-peer connection only
 * root is; anyone else is asked about through polkit, asynchronously. */
int polkit_authorize(Polkit *p, sd_bus_message *call, const char *action, auth_done_t done, void *userdata);

/* Replies to `call` with the D-Bus error that a refusal maps to. */
int polkit_reply_refusal(sd_bus_message *call, AuthResult result);

