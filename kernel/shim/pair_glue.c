/*
 * The glue of a kernel pair (kernel/pair_variant.cmake): two cuts of
 * try_to_unmap_one() in one binary, the base tree's and the patched tree's,
 * each exporting only its entry wrapper under its own name. The shim's glue
 * is compiled once, here, with its call of the cut's entry turned into a
 * call of kshim_pair_try_to_unmap_one(), which runs the cut the program
 * (oracle/program_pair.cc) selected for the slot it runs.
 */
#define kshim_extracted_try_to_unmap_one kshim_pair_try_to_unmap_one
#include "glue.c"
#undef kshim_extracted_try_to_unmap_one

bool kshim_pair_base_try_to_unmap_one(struct folio *folio, struct vm_area_struct *vma,
				      unsigned long address, void *arg);
bool kshim_pair_patched_try_to_unmap_one(struct folio *folio, struct vm_area_struct *vma,
					 unsigned long address, void *arg);

/* 0: the base cut, 1: the patched cut; set before every walk by the program. */
int kshim_pair_side;

bool kshim_pair_try_to_unmap_one(struct folio *folio, struct vm_area_struct *vma,
				 unsigned long address, void *arg)
{
	if (kshim_pair_side)
		return kshim_pair_patched_try_to_unmap_one(folio, vma, address, arg);
	return kshim_pair_base_try_to_unmap_one(folio, vma, address, arg);
}
