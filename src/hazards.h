/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device-table.h"
#include "pci-address.h"

/* What an operator should be told without asking: a rule per kind, each a
 * pure function of the published table (and of how long a VF has been
 * without a driver, which only the tracker in hazards-sink.c knows). */
typedef enum HazardKind {
        HAZARD_DRIVERLESS,
        _HAZARD_KIND_MAX,
} HazardKind;

typedef struct Hazard {
        HazardKind kind;
        char address[PCI_ADDRESS_MAX];
        char *text;             /* for people: what is wrong and since when */
} Hazard;

/* Sorted by kind, then PCI address. */
typedef struct HazardList {
        Hazard *items;
        size_t n;
} HazardList;

#define DRIVERLESS_GRACE_USEC_DEFAULT (10 * 1000000ULL)

/* "driverless", ...: the names the Hazards property, the metrics and the
 * journal use. */
const char *hazard_kind_to_string(HazardKind k);

typedef struct HazardInput {
        const DeviceTable *table;
        uint64_t now;                   /* CLOCK_MONOTONIC usec */
        uint64_t driverless_grace_usec;
        /* Since when the VF at address has been without a driver (usec), 0
         * if it has one or nobody knows. */
        uint64_t (*driverless_since)(const char *address, void *userdata);
        void *userdata;
} HazardInput;

/* Every hazard of the table now, and in *ret_next the earliest future time
 * at which the answer changes by the clock alone (0: never). */
int hazards_detect(const HazardInput *in, HazardList *ret, uint64_t *ret_next);

void hazard_list_clear(HazardList *l);
bool hazard_list_equal(const HazardList *a, const HazardList *b);
/* Whether l has a hazard of this kind on this address. */
bool hazard_list_contains(const HazardList *l, HazardKind kind, const char *address);
/* How many hazards of each kind (counts has _HAZARD_KIND_MAX entries). */
void hazard_list_count(const HazardList *l, unsigned *counts);
