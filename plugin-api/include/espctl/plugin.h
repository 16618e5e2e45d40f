/*
 * espctl/plugin.h — umbrella header of the espctl plugin ABI (v1).
 *
 * Header-only: a plugin includes this and links nothing of espctl. See
 * docs/plugin-authoring.md for a walkthrough.
 */
#ifndef ESPCTL_PLUGIN_H
#define ESPCTL_PLUGIN_H

#include "espctl/common.h"
#include "espctl/plugin/entry.h"
#include "espctl/plugin/host.h"
#include "espctl/plugin/probe.h"
#include "espctl/plugin/target.h"
#include "espctl/plugin/chip.h"
#include "espctl/plugin/ext/image_format.h"
#include "espctl/plugin/ext/run_control.h"
#include "espctl/plugin/ext/flash_writer.h"

#endif /* ESPCTL_PLUGIN_H */
