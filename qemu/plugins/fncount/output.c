/*
 * fncount output: the TSV (format: qemu/plugins/README.md, "Output"),
 * written at exit and after a region ends.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fncount.h"

static const char *const kind_name[L_KINDS] = {
    "task", "irq", "exception", "softirq"
};

static gint u64_cmp(gconstpointer a, gconstpointer b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void write_stat(FILE *o, const char *vcpu, const Func *f,
                       GArray *calls, const Stat *s)
{
    g_autoptr(GArray) v = g_array_copy(calls);
    uint64_t total = 0, min = 0, med = 0, max = 0;

    g_array_sort(v, u64_cmp);
    for (guint i = 0; i < v->len; i++) {
        total += g_array_index(v, uint64_t, i);
    }
    if (v->len) {
        min = g_array_index(v, uint64_t, 0);
        med = g_array_index(v, uint64_t, (v->len - 1) / 2);
        max = g_array_index(v, uint64_t, v->len - 1);
    }
    fprintf(o, "function\t%s\t%s\t%u\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64
            "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64
            "\t%" PRIu64 "\n", vcpu, f->name, v->len, s->recursive, s->open,
            total, min, med, max, s->excluded, s->self);
}

void write_output(void)
{
    g_autofree char *tmp = g_strdup_printf("%s.tmp", out_path);
    FILE *o = fopen(tmp, "w");
    uint64_t anomalies = 0;

    if (!o) {
        fprintf(stderr, "fncount: cannot write %s\n", tmp);
        return;
    }
    for (unsigned int i = 0; i < nvcpus(); i++) {
        anomalies += vcpu_get(i)->anomalies;
    }
    fprintf(o, "# fncount %d: guest instructions per function, inclusive of "
            "callees, per vCPU, between the guest's region markers\n",
            FNCOUNT_FORMAT);
    fprintf(o, "# rep: %s\n", rep_each ?
            "DIAGNOSTIC rep=each: a rep-prefixed string instruction counts "
            "once per iteration" :
            "a rep-prefixed string instruction counts once per execution, "
            "as hardware counts it (TCG re-executes it per iteration)");
    fprintf(o, "# restarts: an instruction that faults and is restarted "
            "counts once\n");
    fprintf(o, "# insns: of the calling task only, from the function's first "
            "instruction to the ret that leaves it (a tail-called function's "
            "included); recursive entries count in the outermost call\n");
    fprintf(o, "# excluded: interrupts, exceptions and softirqs "
            "(%s) that ran in the task during its calls; not in insns\n",
            softirq_name);
    fprintf(o, "# self: instructions in the function's own code "
            "(System.map: to the next symbol, and NAME.cold*), callees "
            "excluded\n");
    fprintf(o, "# sched: %s\n", sched_off ?
            "DIAGNOSTIC sched=off: context switches ignored" :
            "context switches followed (the %rsp load in the switch "
            "function)");
    fprintf(o, "# regions %" PRIu64 ", nested_on %" PRIu64 ", anomalies %"
            PRIu64 "%s\n", regions, nested_on, anomalies + unknown_reg_reads,
            region_on ? ", REGION STILL ON AT EXIT (not counted)" : "");
    for (guint i = 0; i < map_paths->len; i++) {
        fprintf(o, "# map %s\n", (char *)g_ptr_array_index(map_paths, i));
    }
    for (guint i = 0; i < absent->len; i++) {
        fprintf(o, "absent\t%s\n", (char *)g_ptr_array_index(absent, i));
    }
    fprintf(o, "#region\tvcpu\tinsns");
    for (int k = 0; k < L_KINDS; k++) {
        fprintf(o, "\t%s", kind_name[k]);
    }
    fprintf(o, "\tinterrupts\texceptions\tswitches\trep_skipped\trestarts"
            "\tanomalies\n");
    for (unsigned int i = 0; i < nvcpus(); i++) {
        VCpu *vc = vcpu_get(i);
        uint64_t all = 0;

        for (int k = 0; k < L_KINDS; k++) {
            all += vc->kind_insns[k];
        }
        fprintf(o, "region\t%u\t%" PRIu64, i, all);
        for (int k = 0; k < L_KINDS; k++) {
            fprintf(o, "\t%" PRIu64, vc->kind_insns[k]);
        }
        fprintf(o, "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64
                "\t%" PRIu64 "\t%" PRIu64 "\n", vc->interrupts,
                vc->exceptions, vc->switches, vc->rep_skipped, vc->restarts,
                vc->anomalies);
    }
    fprintf(o, "#function\tvcpu\tname\tcalls\trecursive\topen\tinsns\tmin"
            "\tmedian\tmax\texcluded\tself\n");
    for (int f = 0; f < nfn; f++) {
        Func *fn = g_ptr_array_index(funcs, f);
        g_autoptr(GArray) all = g_array_new(false, false, sizeof(uint64_t));
        Stat sum = { 0 };

        if (!fn->ranges->len) {
            continue;
        }
        for (unsigned int i = 0; i < nvcpus(); i++) {
            Stat *s = stat_get(i, f);
            g_autofree char *name = g_strdup_printf("%u", i);

            write_stat(o, name, fn, s->insns, s);
            g_array_append_vals(all, s->insns->data, s->insns->len);
            sum.recursive += s->recursive;
            sum.open += s->open;
            sum.excluded += s->excluded;
            sum.self += s->self;
        }
        write_stat(o, "all", fn, all, &sum);
    }
    fclose(o);
    if (rename(tmp, out_path)) {
        fprintf(stderr, "fncount: cannot rename %s to %s\n", tmp, out_path);
    }
}

void plugin_exit(qemu_plugin_id_t id, void *p)
{
    g_mutex_lock(&lock);
    write_output();
    g_mutex_unlock(&lock);
}
