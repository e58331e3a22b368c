# usage: ./unmapfuzz cost [OPTIONS]
# about: the cost model: per-folio operation counts, reference vs batched
# option: --quick - orders 0, 4 and 9 only
# operands: 0 0
# status: not used (0 when printed)
#
# Per-folio operation counts of the per-PTE reference and the batched
# try_to_unmap_one() from the substrate's own counters (PTE reads and writes,
# atomics, TLB flush calls and pages, walk steps, rmap calls, mmu-notifier
# calls, batches), for folios of 4 KiB to 2 MiB (order 0..9) of every reclaim
# type, and the kernel series' workloads (one folio run, counts multiplied).
# The program is bench/cost.cc, built in the release preset; --quick keeps
# orders 0, 4 and 9.

cmd_cost() {
	local args=()
	[ -z "${OPT[--quick]}" ] || args+=(--quick)
	build release uf_cost
	run "$ROOT/build/release/bench/uf_cost" "${args[@]}"
}
