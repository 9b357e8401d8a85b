/* SPDX-License-Identifier: MIT */
#pragma once

/* The names of the D-Bus contract (dbus/org.sriov.Monitor1.xml), shared by
 * the daemon and its tests. */
#define BUS_NAME "org.sriov.Monitor1"
#define MANAGER_PATH "/org/sriov/Monitor1"
#define MANAGER_IFACE "org.sriov.Monitor1.Manager"
#define DEVICE_IFACE "org.sriov.Monitor1.Device"
#define PF_IFACE "org.sriov.Monitor1.PhysicalFunction"
#define VF_IFACE "org.sriov.Monitor1.VirtualFunction"
#define ERROR_NO_SUCH_DEVICE "org.sriov.Monitor1.Error.NoSuchDevice"
#define POLKIT_ACTION_REFRESH "org.sriov.monitor1.refresh"
