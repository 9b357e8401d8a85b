/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "bus-names.h"
#include "device-vtable.h"
#include "pci-address.h"
#include "strv.h"

static int property_get_virtual_functions(
                sd_bus *bus, const char *path, const char *interface, const char *property,
                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const Device *pf = userdata;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "o");
        if (r < 0)
                return r;
        for (size_t i = 0; i < pf->n_vfs; i++) {
                _cleanup_free_ char *p = NULL;

                r = pci_address_to_object_path(pf->vfs[i].address, &p);
                if (r < 0)
                        return r;
                r = sd_bus_message_append_basic(reply, 'o', p);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

/* Network facts (issue 15): a VF's VLANs as (id, QoS, protocol). */
static int property_get_vlans(
                sd_bus *bus, const char *path, const char *interface, const char *property,
                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const Device *vf = userdata;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(qqq)");
        if (r < 0)
                return r;
        for (uint32_t i = 0; i < vf->vf_config.n_vlans; i++) {
                const VfVlan *v = &vf->vf_config.vlans[i];

                r = sd_bus_message_append(reply, "(qqq)", v->id, v->qos, v->proto);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

static bool vlans_equal(const Device *a, const Device *b) {
        return a->vf_config.n_vlans == b->vf_config.n_vlans &&
               (a->vf_config.n_vlans == 0 ||
                memcmp(a->vf_config.vlans, b->vf_config.vlans, a->vf_config.n_vlans * sizeof(VfVlan)) == 0);
}

#define DEVICE_PROPERTY(name, sig, field) \
        SD_BUS_PROPERTY(name, sig, NULL, offsetof(Device, field), SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE)
#define DEVICE_CONST_PROPERTY(name, sig, field) \
        SD_BUS_PROPERTY(name, sig, NULL, offsetof(Device, field), SD_BUS_VTABLE_PROPERTY_CONST)

static const sd_bus_vtable device_vtable[] = {
        SD_BUS_VTABLE_START(0),
        DEVICE_CONST_PROPERTY("PciAddress", "s", address),
        DEVICE_CONST_PROPERTY("Role", "s", role_name),
        DEVICE_CONST_PROPERTY("VendorId", "q", vendor_id),
        DEVICE_CONST_PROPERTY("DeviceId", "q", device_id),
        DEVICE_PROPERTY("VendorName", "s", vendor_name),
        DEVICE_PROPERTY("Driver", "s", driver),
        DEVICE_PROPERTY("Mode", "s", mode),
        DEVICE_PROPERTY("NetDevices", "as", netdevs),
        DEVICE_PROPERTY("NumaNode", "i", numa_node),
        DEVICE_PROPERTY("IommuGroup", "i", iommu_group),
        /* Network facts (issue 15): the netdev's link, from rtnetlink. */
        DEVICE_PROPERTY("HwAddress", "s", hw_address),
        DEVICE_PROPERTY("OperState", "s", oper_state),
        DEVICE_PROPERTY("Carrier", "b", carrier),
        DEVICE_PROPERTY("Mtu", "u", mtu),
        DEVICE_PROPERTY("Speed", "i", speed),
        /* Where it sits (issue 16). */
        DEVICE_PROPERTY("IommuGroupDevices", "as", iommu_group_devices),
        DEVICE_PROPERTY("ProductName", "s", product_name),
        DEVICE_PROPERTY("PcieLinkSpeed", "s", pcie_link_speed),
        DEVICE_PROPERTY("PcieLinkWidth", "u", pcie_link_width),
        SD_BUS_VTABLE_END,
};

static const sd_bus_vtable pf_vtable[] = {
        SD_BUS_VTABLE_START(0),
        DEVICE_PROPERTY("TotalVFs", "u", total_vfs),
        DEVICE_PROPERTY("NumVFs", "u", num_vfs),
        SD_BUS_PROPERTY("VirtualFunctions", "ao", property_get_virtual_functions, 0,
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        DEVICE_PROPERTY("DriversAutoprobe", "b", drivers_autoprobe),
        /* Network facts (issue 15). */
        DEVICE_PROPERTY("VfConfigComplete", "b", vf_config_complete),
        /* Where it sits (issue 16). */
        DEVICE_PROPERTY("EswitchMode", "s", eswitch_mode),
        DEVICE_PROPERTY("Representors", "as", representors),
        SD_BUS_VTABLE_END,
};

static const sd_bus_vtable vf_vtable[] = {
        SD_BUS_VTABLE_START(0),
        DEVICE_CONST_PROPERTY("PhysicalFunction", "o", pf_object_path),
        DEVICE_CONST_PROPERTY("VFIndex", "u", vf_index),
        DEVICE_PROPERTY("VfioDevice", "s", vfio_device),
        /* Network facts (issue 15): the admin configuration from the PF's IFLA_VFINFO_LIST. */
        DEVICE_PROPERTY("AdminMac", "s", vf_config.mac),
        SD_BUS_PROPERTY("Vlans", "a(qqq)", property_get_vlans, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        DEVICE_PROPERTY("SpoofCheck", "b", vf_config.spoof_check),
        DEVICE_PROPERTY("Trust", "b", vf_config.trust),
        DEVICE_PROPERTY("LinkState", "s", vf_config.link_state),
        DEVICE_PROPERTY("MinTxRate", "u", vf_config.min_tx_rate),
        DEVICE_PROPERTY("MaxTxRate", "u", vf_config.max_tx_rate),
        DEVICE_PROPERTY("QueryRss", "b", vf_config.query_rss),
        /* Where it sits (issue 16). */
        DEVICE_PROPERTY("VfioCdev", "s", vfio_cdev),
        DEVICE_PROPERTY("InUse", "b", in_use),
        DEVICE_PROPERTY("OwnerPid", "u", owner_pid),
        DEVICE_PROPERTY("OwnerName", "s", owner_name),
        DEVICE_PROPERTY("Representor", "s", representor),
        SD_BUS_VTABLE_END,
};

const DeviceInterface device_interfaces[] = {
        { DEVICE_IFACE, device_vtable, -1 },
        { PF_IFACE, pf_vtable, DEVICE_ROLE_PF },
        { VF_IFACE, vf_vtable, DEVICE_ROLE_VF },
};
const size_t n_device_interfaces = ELEMENTSOF(device_interfaces);

/* Properties with their own getter say how their values compare. */
static const struct {
        sd_bus_property_get_t get;
        bool (*equal)(const Device *a, const Device *b);
} custom_properties[] = {
        { property_get_virtual_functions, device_vfs_equal },
        { property_get_vlans, vlans_equal },
};

static bool is_property(const sd_bus_vtable *v) {
        return v->type == _SD_BUS_VTABLE_PROPERTY || v->type == _SD_BUS_VTABLE_WRITABLE_PROPERTY;
}

/* -1: the property cannot be compared (a getter not in custom_properties). */
static int property_equal(const sd_bus_vtable *v, const Device *a, const Device *b) {
        const char *sig = v->x.property.signature;
        const void *x = (const uint8_t *) a + v->x.property.offset, *y = (const uint8_t *) b + v->x.property.offset;

        if (v->x.property.get) {
                for (size_t i = 0; i < ELEMENTSOF(custom_properties); i++)
                        if (custom_properties[i].get == v->x.property.get)
                                return custom_properties[i].equal(a, b);
                return -1;
        }
        /* The C types sd-bus's default getters read. */
        switch (sig[0]) {
        case 's':
        case 'o':
        case 'g':
                return streq_ptr(*(char *const *) x, *(char *const *) y);
        case 'a':
                return streq(sig, "as") ? strv_equal(*(char **const *) x, *(char **const *) y) : -1;
        case 'y':
                return memcmp(x, y, 1) == 0;
        case 'q':
        case 'n':
                return memcmp(x, y, 2) == 0;
        case 'b':
        case 'i':
        case 'u':
                return memcmp(x, y, 4) == 0;
        case 'x':
        case 't':
                return memcmp(x, y, 8) == 0;
        default:
                return -1;
        }
}

int device_changed_properties(const sd_bus_vtable *vtable, const Device *old, const Device *new, const char ***ret) {
        const char **names = NULL;
        size_t n = 0;

        for (const sd_bus_vtable *v = vtable; v->type != _SD_BUS_VTABLE_END; v++) {
                const char **t;

                if (!is_property(v) || !(v->flags & SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE) ||
                    property_equal(v, old, new) > 0)
                        continue;
                t = reallocarray(names, n + 2, sizeof(char *));
                if (!t) {
                        free(names);
                        return -ENOMEM;
                }
                names = t;
                names[n++] = v->x.property.member;
                names[n] = NULL;
        }
        *ret = names;
        return (int) n;
}

static bool applies(const DeviceInterface *iface, const Device *d) {
        return iface->role < 0 || iface->role == (int) d->role;
}

/* Whether any property with (const_only: CONST) flags differs. */
static bool differs(const Device *old, const Device *new, bool const_only) {
        if (old->role != new->role)
                return true;
        for (size_t i = 0; i < n_device_interfaces; i++) {
                if (!applies(&device_interfaces[i], old))
                        continue;
                for (const sd_bus_vtable *v = device_interfaces[i].vtable; v->type != _SD_BUS_VTABLE_END; v++)
                        if (is_property(v) && (!const_only || (v->flags & SD_BUS_VTABLE_PROPERTY_CONST)) &&
                            property_equal(v, old, new) <= 0)
                                return true;
        }
        return false;
}

bool device_identity_changed(const Device *old, const Device *new) {
        return differs(old, new, true);
}

bool device_equal(const Device *old, const Device *new) {
        return !differs(old, new, false);
}

bool device_vtables_comparable(void) {
        const Device d = {};

        for (size_t i = 0; i < n_device_interfaces; i++)
                for (const sd_bus_vtable *v = device_interfaces[i].vtable; v->type != _SD_BUS_VTABLE_END; v++)
                        if (is_property(v) && property_equal(v, &d, &d) < 0)
                                return false;
        return true;
}
