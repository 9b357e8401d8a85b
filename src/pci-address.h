/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

/* PCI addresses ("0000:3b:00.2") and the object paths that name them
 * ("/org/sriov/Monitor1/Device/pci_0000_3b_00_2", libvirt's node device
 * names). */

#define DEVICE_PATH_PREFIX "/org/sriov/Monitor1/Device"

typedef struct PciAddress {
        uint32_t domain;
        uint8_t bus;
        uint8_t slot; /* 0..0x1f */
        uint8_t function; /* 0..7 */
} PciAddress;

/* Longest canonical form: "ffffffff:ff:1f.7". */
#define PCI_ADDRESS_MAX 17

/* Parses "DDDD:BB:SS.F" (domain of 1 to 8 hex digits) or, when allow_short,
 * "BB:SS.F" (domain 0). Case-insensitive. Returns 0 or -EINVAL. */
int pci_address_parse(const char *s, int allow_short, PciAddress *ret);
/* Canonical lower-case form, domain at least 4 digits; buf must hold PCI_ADDRESS_MAX. */
char *pci_address_format(const PciAddress *a, char buf[static PCI_ADDRESS_MAX]);
/* Normalises s to its canonical full form; 0 or -EINVAL. */
int pci_address_normalize(const char *s, int allow_short, char buf[static PCI_ADDRESS_MAX]);
int pci_address_compare(const PciAddress *a, const PciAddress *b);
/* Compares two canonical address strings numerically (by domain, bus, slot,
 * function); unparsable strings sort last, by strcmp. */
int pci_address_string_compare(const char *a, const char *b);

/* The PCI function a uevent concerns, from its DEVPATH: the device itself
 * for subsystem "pci", the parent function for a child such as
 * .../0000:3b:00.2/net/eth0 or .../vfio-dev/vfio0. -EINVAL when there is
 * none (a virtual netdev, a malformed path). */
int pci_address_from_devpath(const char *subsystem, const char *devpath, char address[static PCI_ADDRESS_MAX]);

/* "0000:3b:00.2" -> newly allocated "/org/sriov/Monitor1/Device/pci_0000_3b_00_2". */
int pci_address_to_object_path(const char *address, char **ret);
/* The reverse; rejects anything that is not exactly a canonical device path. */
int object_path_to_pci_address(const char *path, char buf[static PCI_ADDRESS_MAX]);
