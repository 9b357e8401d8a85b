/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "device-event.h"
#include "hazards.h"

/* The MESSAGE_IDs of the daemon's journal entries: fixed forever, listed in
 * sriov-monitord(8) and explained by the catalog (systemd/sriov-monitor.catalog). */
#define SRIOV_MESSAGE_PCI              "9df955357884465ab898b7c7740c3935"
#define SRIOV_MESSAGE_DRIVER           "a1e0c3569b584cdc864b5679f47dfa5d"
#define SRIOV_MESSAGE_INTERFACE        "64f516fb489849868438ce176444a995"
#define SRIOV_MESSAGE_SRIOV            "8456a045b7e941d981e5e824476528ea"
#define SRIOV_MESSAGE_RESYNC           "69bd9d4dac0946e9aa31629ab7f88128"
#define SRIOV_MESSAGE_DEGRADED         "f0c60eafd57947389bbe927c4aed4255"
#define SRIOV_MESSAGE_HAZARD_BEGIN     "78d9046c4fe243c4898b50a1ccc68893"
#define SRIOV_MESSAGE_HAZARD_END       "aa385772ae204d1a86375146818d099c"
#define SRIOV_MESSAGE_LINK             "0f23459fbcfd479f9d27d808df90f8b2"
#define SRIOV_MESSAGE_CONFIG           "c522c1e7767742f69363d38edbe4c2dd"
#define SRIOV_MESSAGE_OWNER            "3d59121ca88f44188579d8645b911230"

/* The MESSAGE_ID of a DeviceEvent type, or NULL. */
const char *journal_message_id(const char *event_type);

/* The fields of one journal entry ("KEY=value", NULL-terminated, MESSAGE
 * first), for sd_journal_sendv(). Pure functions; values never contain a
 * newline (the names and addresses the kernel gives do not). */
/* A DeviceEvent of device d (new, or old for a removed one). */
int journal_event_fields(const DeviceEvent *e, const Device *d, char ***ret);
/* A full rescan after lost events (reason: "uevent buffer overrun", ...). */
int journal_resync_fields(const char *reason, unsigned changed, char ***ret);
int journal_degraded_fields(bool degraded, char ***ret);
/* A hazard that began (or ended). */
int journal_hazard_fields(const Hazard *h, bool begins, char ***ret);

/* Whether stderr is the journal's stream: JOURNAL_STREAM ("DEV:INODE", set
 * by systemd for a unit's stdout/stderr) names the file stderr is. */
bool journal_stream_matches(const char *journal_stream, dev_t dev, ino_t ino);
