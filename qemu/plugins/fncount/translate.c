/*
 * fncount translation: decodes each instruction QEMU translates and
 * instruments it: the region markers, counted functions' entries, the
 * stack switch, ret, iretq and rep-prefixed string instructions get their
 * callbacks; every instruction its inline counter increments.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fncount.h"

enum {
    PFX_REP = 1,
    PFX_REX_W = 2,
    PFX_REX_R = 4,
};

/* the opcode index after legacy and REX prefixes */
static size_t opcode_at(const uint8_t *b, size_t n, unsigned int *pfx)
{
    size_t i = 0;

    *pfx = 0;
    for (; i < n; i++) {
        switch (b[i]) {
        case 0xf2: case 0xf3:
            *pfx |= PFX_REP;
            continue;
        case 0x66: case 0x67: case 0x26: case 0x2e: case 0x36: case 0x3e:
        case 0x64: case 0x65: case 0xf0:
            continue;
        }
        break;
    }
    if (i < n && (b[i] & 0xf0) == 0x40) {
        *pfx |= (b[i] & 8) ? PFX_REX_W : 0;
        *pfx |= (b[i] & 4) ? PFX_REX_R : 0;
        i++;
    }
    return i;
}

static uint32_t le32(const uint8_t *b)
{
    return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static bool is_string_op(uint8_t op)
{
    return (op >= 0x6c && op <= 0x6f) || (op >= 0xa4 && op <= 0xa7) ||
           (op >= 0xaa && op <= 0xaf);
}

GHashTable *rep_insns;              /* pc -> RepInsn * */

void vcpu_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);
    qemu_plugin_u64 on = sb_u64(SB_ON);

    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t pc = qemu_plugin_insn_vaddr(insn);
        uint8_t b[16];
        size_t len = qemu_plugin_insn_data(insn, b, sizeof(b));
        unsigned int pfx;
        size_t o = opcode_at(b, len, &pfx);
        uint8_t op = o < len ? b[o] : 0;
        Func *f;
        int idx;

        if (len == 8 && b[0] == 0x0f && b[1] == 0x1f && b[2] == 0x84 &&
            b[3] == 0x00 && (le32(b + 4) & 0xffffff00u) == MARKER_MAGIC) {
            qemu_plugin_register_vcpu_insn_exec_cb(
                insn, vcpu_marker, QEMU_PLUGIN_CB_NO_REGS,
                (void *)(uintptr_t)b[4]);
            /* not counted: no increment */
            continue;
        }
        f = g_hash_table_lookup(entry_of, GSIZE_TO_POINTER(pc));
        if (f) {
            qemu_plugin_register_vcpu_insn_exec_cond_cb(
                insn, vcpu_entry, QEMU_PLUGIN_CB_R_REGS,
                QEMU_PLUGIN_COND_EQ, on, 1, f);
        }
        if (pc >= switch_range.start && pc < switch_range.end &&
            op == 0x8b && (pfx & PFX_REX_W) && !(pfx & PFX_REX_R) &&
            o + 1 < len && ((b[o + 1] >> 3) & 7) == 4 && (b[o + 1] >> 6) != 3) {
            /* mov mem, %rsp: the kernel stack switch */
            qemu_plugin_register_vcpu_insn_exec_cond_cb(
                insn, vcpu_switch, QEMU_PLUGIN_CB_R_REGS,
                QEMU_PLUGIN_COND_EQ, on, 1, NULL);
        }
        idx = self_idx(pc);
        if (op == 0xc3 || op == 0xc2) {
            qemu_plugin_register_vcpu_insn_exec_cond_cb(
                insn, vcpu_ret, QEMU_PLUGIN_CB_R_REGS,
                QEMU_PLUGIN_COND_EQ, on, 1, NULL);
        } else if (op == 0xcf && (pfx & PFX_REX_W)) {
            qemu_plugin_register_vcpu_insn_exec_cond_cb(
                insn, vcpu_iret, QEMU_PLUGIN_CB_R_REGS,
                QEMU_PLUGIN_COND_EQ, on, 1, NULL);
        } else if ((pfx & PFX_REP) && is_string_op(op)) {
            RepInsn *ri;

            g_mutex_lock(&lock);
            ri = g_hash_table_lookup(rep_insns, GSIZE_TO_POINTER(pc));
            if (!ri) {
                ri = g_new(RepInsn, 1);
                ri->pc = pc;
                ri->idx = idx;
                g_hash_table_insert(rep_insns, GSIZE_TO_POINTER(pc), ri);
            }
            g_mutex_unlock(&lock);
            qemu_plugin_register_vcpu_insn_exec_cond_cb(
                insn, vcpu_rep, QEMU_PLUGIN_CB_NO_REGS,
                QEMU_PLUGIN_COND_EQ, on, 1, ri);
            idx = -1;               /* self: counted by vcpu_rep */
        }
        /* after the callbacks: they see the count before this insn */
        qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(
            insn, QEMU_PLUGIN_INLINE_ADD_U64, sb_u64(SB_COUNT), 1);
        qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(
            insn, QEMU_PLUGIN_INLINE_STORE_U64, sb_u64(SB_LASTPC), pc);
        if (idx >= 0) {
            qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(
                insn, QEMU_PLUGIN_INLINE_ADD_U64, sb_u64(SB_SELF + idx), 1);
        }
    }
}
