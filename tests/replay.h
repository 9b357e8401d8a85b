/* SPDX-License-Identifier: MIT */
/* Checking the daemon's signals against its table (see replay.c). */
#pragma once

#include "harness.h"

/* `initial` (a GetManagedObjects reply) with the device signals recorded
 * since applied equals the daemon's table, once it has caught up (a
 * deadline scaled by harness_timeout_ms()); fails the test with the first
 * difference otherwise. */
void assert_signals_give_table(Harness *h, GVariant *initial, Recorder *rec);
/* Fails on a PropertiesChanged that repeats the value a client following
 * the signals from `initial` already has. */
void assert_no_redundant_changes(GVariant *initial, Recorder *rec);
