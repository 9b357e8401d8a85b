/* SPDX-License-Identifier: MIT */
#pragma once

#include "device-table.h"

/* NFD's local source rejects a feature file over 64 KiB. */
#define FEATURES_FILE_MAX 65536
/* Kubernetes label names (after the prefix) and values: at most 63 characters. */
#define FEATURE_NAME_MAX 63

/* The Node Feature Discovery feature file: one `sriov.monitor/NAME=VALUE`
 * per line, sorted, every name and value a valid Kubernetes label name and
 * value; a driver whose name cannot be one is left out. NFD's own
 * network-sriov.capable and .configured are not repeated. A pure function. */
int features_format(const DeviceTable *table, char **ret);
