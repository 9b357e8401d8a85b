/* SPDX-License-Identifier: MIT */
/*
 * udev's hardware database names of a function: VendorName
 * (ID_VENDOR_FROM_DATABASE) and ProductName (ID_MODEL_FROM_DATABASE, issue
 * 16), asked once per vendor and per vendor:device, as a udev device costs
 * as much as the rest of a reading.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sysfs-parse.h"
#include "sysfs-reader.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_device *, udev_device_unref);

/* 0 is what an unreadable vendor file leaves, 0xffff what a vanished device
 * reads as: neither says which vendor's name udev has. */
static bool vendor_id_is_real(uint16_t id) {
        return id != 0 && id != 0xffff;
}

static const char *vendor_names_get(const VendorNames *v, uint32_t id) {
        for (size_t i = 0; v && i < v->n; i++)
                if (v->entries[i].id == id)
                        return v->entries[i].name;
        return NULL;
}

static void vendor_names_put(VendorNames *v, uint32_t id, const char *name) {
        char *copy;

        if (!v || v->n >= ELEMENTSOF(v->entries))
                return; /* a host of many vendors just asks udev more often */
        copy = strdup(name);
        if (!copy)
                return;
        v->entries[v->n].id = id;
        v->entries[v->n++].name = copy;
}

void vendor_names_clear(VendorNames *v) {
        for (size_t i = 0; i < v->n; i++)
                free(v->entries[i].name);
        v->n = 0;
}

static bool name_usable(const char *name) {
        return !isempty(name) && utf8_is_valid(name);
}

/* The hwdb's vendor and product names: from the previous reading of the same
 * ids, else the caches, else one udev device for both. The product cache is
 * keyed on vendor:device (the hwdb matches the model on both). */
int sysfs_read_hwdb_names(struct udev *udev, VendorNames *vendors, VendorNames *products, const Device *previous,
                           Device *d) {
        _cleanup_(udev_device_unrefp) struct udev_device *dev = NULL;
        const char *vendor = NULL, *product = NULL;
        uint32_t product_id = (uint32_t) d->vendor_id << 16 | d->device_id;
        bool real = vendor_id_is_real(d->vendor_id);

        if (previous && previous->vendor_id == d->vendor_id && previous->device_id == d->device_id &&
            streq_ptr(previous->address, d->address)) {
                vendor = previous->vendor_name;
                product = previous->product_name;
                if (!product && !vendor)
                        vendor = ""; /* nothing then, nothing now: do not ask */
        } else if (real) {
                vendor = vendor_names_get(vendors, d->vendor_id);
                product = vendor_names_get(products, product_id);
                if (!vendor || !product)
                        vendor = product = NULL; /* ask udev for both */
        }
        if (!vendor && udev) {
                /* A udev device costs as much as the rest of the reading. */
                dev = udev_device_new_from_syspath(udev, d->syspath);
                if (dev) {
                        vendor = udev_device_get_property_value(dev, "ID_VENDOR_FROM_DATABASE");
                        product = udev_device_get_property_value(dev, "ID_MODEL_FROM_DATABASE");
                }
                /* Shared by id only when the id is real; an unknown product
                 * is remembered too ("") once its vendor is. */
                if (name_usable(vendor) && real) {
                        vendor_names_put(vendors, d->vendor_id, vendor);
                        vendor_names_put(products, product_id, name_usable(product) ? product : "");
                }
        }
        if (!name_usable(vendor))
                vendor = vendor_builtin_name(d->vendor_id);
        if (vendor) {
                d->vendor_name = strdup(vendor);
                if (!d->vendor_name)
                        return -ENOMEM;
        }
        if (name_usable(product)) {
                d->product_name = strdup(product);
                if (!d->product_name)
                        return -ENOMEM;
        }
        return 0;
}
