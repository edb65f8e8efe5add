/*
 * fncount symbols: the maps (System.map, nm -n), the lists of functions to
 * count, and the tables built from them: function entries, their code
 * ranges (self counts), the switch and softirq functions.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fncount.h"

typedef struct {
    uint64_t start, end;
    int idx;
} SelfRange;

GPtrArray *funcs;                   /* Func *, counted ones first (idx) */
int nfn;                            /* counted functions */
GHashTable *entry_of;               /* start address -> Func * */
static GArray *self_ranges;         /* SelfRange, sorted */
Range switch_range;
GPtrArray *absent;                  /* char *: listed, in no map */

typedef struct {
    uint64_t addr;
    char *name;
} Sym;

static gint sym_cmp(gconstpointer a, gconstpointer b)
{
    const Sym *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static gint self_range_cmp(gconstpointer a, gconstpointer b)
{
    const SelfRange *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static Func *func_new(const char *name, int idx)
{
    Func *f = g_new0(Func, 1);

    f->name = g_strdup(name);
    f->idx = idx;
    f->ranges = g_array_new(false, false, sizeof(Range));
    f->cold = g_array_new(false, false, sizeof(Range));
    g_ptr_array_add(funcs, f);
    return f;
}

static Func *func_find(const char *name)
{
    for (guint i = 0; i < funcs->len; i++) {
        Func *f = g_ptr_array_index(funcs, i);
        if (!strcmp(f->name, name)) {
            return f;
        }
    }
    return NULL;
}

/* "NAME.cold" or "NAME.cold.N": a part of NAME that gcc moved away */
static Func *cold_owner(const char *sym)
{
    const char *c = strstr(sym, ".cold");
    g_autofree char *base = NULL;

    if (!c || (c[5] != '\0' && c[5] != '.')) {
        return NULL;
    }
    base = g_strndup(sym, c - sym);
    return func_find(base);
}

static bool load_map(const char *path, GError **err)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GArray) syms = g_array_new(false, false, sizeof(Sym));

    if (!g_file_get_contents(path, &text, NULL, err)) {
        return false;
    }
    lines = g_strsplit(text, "\n", -1);
    for (int i = 0; lines[i]; i++) {
        char name[512], type;
        uint64_t addr;
        Sym s;

        if (sscanf(lines[i], "%" SCNx64 " %c %511s", &addr, &type, name) != 3) {
            continue;
        }
        s.addr = addr;
        s.name = (type == 't' || type == 'T' || type == 'w' || type == 'W') ?
                 g_strdup(name) : NULL;
        g_array_append_val(syms, s);
    }
    g_array_sort(syms, sym_cmp);
    for (guint i = 0; i < syms->len; i++) {
        Sym *s = &g_array_index(syms, Sym, i);
        Range r = { s->addr, s->addr };
        Func *f;

        if (!s->name) {
            continue;
        }
        for (guint j = i + 1; j < syms->len; j++) {
            if (g_array_index(syms, Sym, j).addr > s->addr) {
                r.end = g_array_index(syms, Sym, j).addr;
                break;
            }
        }
        if (r.end == r.start) {
            r.end = r.start + 1;    /* last symbol: its entry only */
        }
        f = func_find(s->name);
        if (f) {
            g_array_append_val(f->ranges, r);
        } else if ((f = cold_owner(s->name))) {
            g_array_append_val(f->cold, r);
        }
        g_free(s->name);
    }
    return true;
}

bool load_fn_list(const char *path, GError **err)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents(path, &text, NULL, err)) {
        return false;
    }
    lines = g_strsplit(text, "\n", -1);
    for (int i = 0; lines[i]; i++) {
        char *l = g_strstrip(lines[i]);
        g_auto(GStrv) words = NULL;

        if (!*l || *l == '#') {
            continue;
        }
        words = g_strsplit_set(l, " \t", 2);
        g_ptr_array_add(fn_names, g_strdup(words[0]));
    }
    return true;
}

static void add_self_ranges(const Func *f, GArray *ranges)
{
    for (guint i = 0; i < ranges->len; i++) {
        Range *r = &g_array_index(ranges, Range, i);
        SelfRange s = { r->start, r->end, f->idx };
        g_array_append_val(self_ranges, s);
    }
}

/* counted function whose code holds pc, or -1 */
int self_idx(uint64_t pc)
{
    guint lo = 0, hi = self_ranges->len;

    while (lo < hi) {
        guint mid = (lo + hi) / 2;
        SelfRange *s = &g_array_index(self_ranges, SelfRange, mid);
        if (pc < s->start) {
            hi = mid;
        } else if (pc >= s->end) {
            lo = mid + 1;
        } else {
            return s->idx;
        }
    }
    return -1;
}

bool setup(GError **err)
{
    Func *f;

    funcs = g_ptr_array_new();
    for (guint i = 0; i < fn_names->len; i++) {
        const char *name = g_ptr_array_index(fn_names, i);
        if (!func_find(name)) {
            func_new(name, funcs->len);
        }
    }
    nfn = funcs->len;
    /* internal entries: not in the output unless also listed */
    f = func_find(softirq_name);
    if (!f) {
        f = func_new(softirq_name, -1);
    }
    f->softirq = true;
    if (!func_find(switch_name)) {
        func_new(switch_name, -1);
    }
    for (guint i = 0; i < map_paths->len; i++) {
        if (!load_map(g_ptr_array_index(map_paths, i), err)) {
            return false;
        }
    }
    entry_of = g_hash_table_new(g_direct_hash, g_direct_equal);
    self_ranges = g_array_new(false, false, sizeof(SelfRange));
    absent = g_ptr_array_new();
    for (guint i = 0; i < funcs->len; i++) {
        f = g_ptr_array_index(funcs, i);
        for (guint j = 0; j < f->ranges->len; j++) {
            g_hash_table_insert(entry_of, GSIZE_TO_POINTER(
                g_array_index(f->ranges, Range, j).start), f);
        }
        if (f->idx >= 0) {
            add_self_ranges(f, f->ranges);
            add_self_ranges(f, f->cold);
            if (!f->ranges->len) {
                g_ptr_array_add(absent, f->name);
            }
        }
    }
    g_array_sort(self_ranges, self_range_cmp);
    f = func_find(switch_name);
    if (!f->ranges->len) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                    "switch function %s is in no map: give the kernel's "
                    "System.map with map=", switch_name);
        return false;
    }
    switch_range = g_array_index(f->ranges, Range, 0);
    if (!func_find(softirq_name)->ranges->len) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                    "softirq function %s is in no map (softirq=NAME)",
                    softirq_name);
        return false;
    }
    return true;
}
