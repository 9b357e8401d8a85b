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
        HAZARD_PF_DOWN,
        HAZARD_SPOOFCHECK_NO_MAC,
        HAZARD_VF_CONFIG_INCOMPLETE,
        HAZARD_SHARED_IOMMU_GROUP,
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
        uint64_t driverless_grace_usec; /* 0: no driverless hazard */
        /* Since when the VF at address has been without a driver (usec), 0
         * if it has one or nobody knows. */
        uint64_t (*driverless_since)(const char *address, void *userdata);
        void *userdata;
} HazardInput;

/* The hazards of one device of the table now, appended to *list in kind
 * order; *next is lowered to the earliest future time at which its answer
 * changes by the clock alone (0: never). Every rule is a function of one
 * device and the table around it, so a batch re-examines only the devices
 * it touched. */
int hazards_of_device(const HazardInput *in, const Device *d, HazardList *list, uint64_t *next);
/* Every hazard of the table now (hazards_of_device over all of it), sorted. */
int hazards_detect(const HazardInput *in, HazardList *ret, uint64_t *ret_next);

void hazard_list_clear(HazardList *l);
/* Makes `fresh` (hazards of one address, taken) the hazards of that address
 * in the sorted list l. Returns 1 if the kinds on that address changed, 0 if
 * not, -ENOMEM (l unchanged, fresh freed). */
int hazard_list_replace_address(HazardList *l, const char *address, HazardList *fresh);
bool hazard_list_equal(const HazardList *a, const HazardList *b);
/* Whether l has a hazard of this kind on this address. */
bool hazard_list_contains(const HazardList *l, HazardKind kind, const char *address);
/* How many hazards of each kind (counts has _HAZARD_KIND_MAX entries). */
void hazard_list_count(const HazardList *l, unsigned *counts);
