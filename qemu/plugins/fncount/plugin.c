/*
 * fncount: exact guest instruction counts per function, inclusive of
 * callees, per vCPU, inside a region the guest turns on and off.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * x86-64 system emulation (TCG) only. Arguments:
 *   out=FILE       the TSV, written at exit and after a region ends (at
 *                  most once a second)
 *   map=FILE       System.map or `nm -n` output (repeatable): ADDR TYPE NAME
 *   fns=FILE       functions to count, one name per line (first word; '#'
 *                  starts a comment); fn=NAME adds one (repeatable)
 *   stack=BYTES    kernel stack size (THREAD_SIZE, default 16384)
 *   softirq=NAME   entry of softirq processing (default handle_softirqs)
 *   switch=NAME    the function switching kernel stacks (__switch_to_asm)
 *   rep=once|each  rep-prefixed string instructions: count once per
 *                  execution (default) or once per iteration (diagnostic)
 *   sched=on|off   follow context switches (default); off is diagnostic
 *
 * How it counts: fncount.h. This file: the arguments, the installation.
 */
#include "fncount.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

/* arguments */
char *out_path;
GPtrArray *map_paths, *fn_names;
uint64_t stack_size = 16384;
char *softirq_name, *switch_name;
bool rep_each, sched_off;

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    g_autoptr(GError) err = NULL;

    if (info->system_emulation == false ||
        strcmp(info->target_name, "x86_64")) {
        fprintf(stderr, "fncount: x86_64 system emulation only (got %s)\n",
                info->target_name);
        return -1;
    }
    map_paths = g_ptr_array_new();
    fn_names = g_ptr_array_new();
    softirq_name = g_strdup("handle_softirqs");
    switch_name = g_strdup("__switch_to_asm");
    for (int i = 0; i < argc; i++) {
        char *opt = argv[i];
        g_auto(GStrv) kv = g_strsplit(opt, "=", 2);

        if (!kv[0] || !kv[1]) {
            fprintf(stderr, "fncount: option without value: %s\n", opt);
            return -1;
        }
        if (!strcmp(kv[0], "out")) {
            out_path = g_strdup(kv[1]);
        } else if (!strcmp(kv[0], "map")) {
            g_ptr_array_add(map_paths, g_strdup(kv[1]));
        } else if (!strcmp(kv[0], "fns")) {
            if (!load_fn_list(kv[1], &err)) {
                fprintf(stderr, "fncount: fns=%s: %s\n", kv[1], err->message);
                return -1;
            }
        } else if (!strcmp(kv[0], "fn")) {
            g_ptr_array_add(fn_names, g_strdup(kv[1]));
        } else if (!strcmp(kv[0], "stack")) {
            stack_size = g_ascii_strtoull(kv[1], NULL, 0);
            if (!stack_size || (stack_size & (stack_size - 1))) {
                fprintf(stderr, "fncount: stack=%s: not a power of 2\n", kv[1]);
                return -1;
            }
        } else if (!strcmp(kv[0], "softirq")) {
            g_free(softirq_name);
            softirq_name = g_strdup(kv[1]);
        } else if (!strcmp(kv[0], "switch")) {
            g_free(switch_name);
            switch_name = g_strdup(kv[1]);
        } else if (!strcmp(kv[0], "rep")) {
            if (strcmp(kv[1], "once") && strcmp(kv[1], "each")) {
                fprintf(stderr, "fncount: rep=once|each, not %s\n", kv[1]);
                return -1;
            }
            rep_each = !strcmp(kv[1], "each");
        } else if (!strcmp(kv[0], "sched")) {
            bool on;
            if (!qemu_plugin_bool_parse(kv[0], kv[1], &on)) {
                fprintf(stderr, "fncount: sched=on|off, not %s\n", kv[1]);
                return -1;
            }
            sched_off = !on;
        } else {
            fprintf(stderr, "fncount: unknown option %s (out= map= fns= fn= "
                    "stack= softirq= switch= rep= sched=)\n", opt);
            return -1;
        }
    }
    if (!out_path || !map_paths->len) {
        fprintf(stderr, "fncount: out=FILE and map=FILE are required\n");
        return -1;
    }
    if (!setup(&err)) {
        fprintf(stderr, "fncount: %s\n", err->message);
        return -1;
    }
    vcpus = g_ptr_array_new();
    stats = g_ptr_array_new();
    rep_insns = g_hash_table_new(g_direct_hash, g_direct_equal);
    sb = qemu_plugin_scoreboard_new(sizeof(uint64_t) * (SB_SELF + nfn));

    qemu_plugin_register_vcpu_init_cb(id, vcpu_init);
    qemu_plugin_register_vcpu_tb_trans_cb(id, vcpu_tb_trans);
    qemu_plugin_register_vcpu_discon_cb(id, QEMU_PLUGIN_DISCON_INTERRUPT |
                                        QEMU_PLUGIN_DISCON_EXCEPTION,
                                        vcpu_discon);
    qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
    return 0;
}
