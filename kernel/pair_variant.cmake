# uf_kernel_pair(KEY BASE_CUT PATCHED_CUT SEMANTICS SOURCE VERSION)
#
# Two cuts of try_to_unmap_one() in one binary, kernel against kernel: the
# base tree's in the reference slot, the patched tree's in the batched slot
# (oracle/program_pair.cc), for ./unmapfuzz review. Both cuts are C with the
# same names; the extractor makes everything in a cut static except its entry
# wrapper, so each cut is compiled as its own translation unit with only that
# wrapper renamed (kshim_pair_base_/kshim_pair_patched_try_to_unmap_one). The
# shim's glue (kernel/shim/glue.c), its shadows and fake-pointer windows are
# shared: one call runs at a time, and kernel/shim/pair_glue.c picks the cut.
# Executables in BINARY_DIR/kernel/KEY, as for uf_kernel_variant():
#   unmapfuzz-tool  repro, check, exhaust, minimize;  unmap_diff  libFuzzer
# Target kernel_KEY builds them. Included by the variant.cmake files
# ./unmapfuzz review writes; uf_kernel_variant() (kernel_variant.cmake) has
# set the kernel's C options already.
include_guard(GLOBAL)

function(uf_kernel_pair key base_cut patched_cut semantics source version)
  # BASE_INCLUDE, PATCHED_INCLUDE: each cut's force-included headers, as
  # uf_kernel_variant()'s INCLUDE (the helpers the shim learned from that
  # tree: a series may add one the base lacks).
  cmake_parse_arguments(PARSE_ARGV 6 arg "" "" "BASE_INCLUDE;PATCHED_INCLUDE")
  set(dir ${PROJECT_BINARY_DIR}/kernel/${key})
  file(MAKE_DIRECTORY ${dir})
  file(GLOB shim_headers ${UF_KERNEL_DIR}/shim/kshim/*.h)
  set(objs)
  foreach(side base patched)
    if(side STREQUAL "base")
      set(cut ${base_cut})
      set(includes ${arg_BASE_INCLUDE})
    else()
      set(cut ${patched_cut})
      set(includes ${arg_PATCHED_INCLUDE})
    endif()
    set(c_options ${UF_KERNEL_C_OPTIONS})
    set(c_target_options ${UF_KERNEL_C_OPTIONS})
    foreach(h ${includes})
      list(APPEND c_options -include ${h})
      list(APPEND c_target_options "SHELL:-include ${h}")
    endforeach()
    add_custom_command(OUTPUT ${dir}/names-${side}.ok
      COMMAND ${UF_KERNEL_DIR}/check.sh ${dir}/names-${side}.ok ${cut} ${CMAKE_C_COMPILER}
        ${c_options} ${UF_KERNEL_C_WARNINGS}
      DEPENDS ${cut} ${UF_KERNEL_DIR}/check.sh ${UF_KERNEL_DIR}/shim/kshim.h ${shim_headers}
        ${UF_KERNEL_DIR}/kshim_abi.h ${includes}
      COMMENT "kernel ${key}: checking the ${side} cut's names against the shim" VERBATIM)
    add_library(uf_kpair_${key}_${side} OBJECT EXCLUDE_FROM_ALL ${cut})
    target_compile_options(uf_kpair_${key}_${side} PRIVATE ${c_target_options}
      ${UF_KERNEL_C_WARNINGS})
    target_compile_definitions(uf_kpair_${key}_${side} PRIVATE
      kshim_extracted_try_to_unmap_one=kshim_pair_${side}_try_to_unmap_one)
    set_source_files_properties(${cut} PROPERTIES OBJECT_DEPENDS ${dir}/names-${side}.ok)
    list(APPEND objs $<TARGET_OBJECTS:uf_kpair_${key}_${side}>)
  endforeach()
  # The glue once (shim/pair_glue.c includes it), calling the dispatcher in place
  # of a cut's entry.
  add_library(uf_kpair_${key}_glue OBJECT EXCLUDE_FROM_ALL ${UF_KERNEL_DIR}/shim/pair_glue.c)
  target_compile_options(uf_kpair_${key}_glue PRIVATE ${UF_KERNEL_C_OPTIONS} ${UF_KERNEL_C_WARNINGS})
  add_library(uf_kpair_${key}_prog OBJECT EXCLUDE_FROM_ALL ${PROJECT_SOURCE_DIR}/oracle/program_pair.cc)
  target_link_libraries(uf_kpair_${key}_prog PRIVATE uf_mm)
  target_compile_definitions(uf_kpair_${key}_prog PRIVATE UF_KERNEL_SEMANTICS=${semantics}
    UF_KERNEL_SOURCE="${source}" UF_KERNEL_VERSION="${version}")
  list(APPEND objs $<TARGET_OBJECTS:uf_kpair_${key}_glue> $<TARGET_OBJECTS:uf_kpair_${key}_prog>)
  set(libs uf_fuzz uf_reference uf_batched uf_kernel_bridge)

  add_executable(kernel_${key}_tool EXCLUDE_FROM_ALL ${PROJECT_SOURCE_DIR}/tools/main.cc ${objs})
  set_target_properties(kernel_${key}_tool PROPERTIES OUTPUT_NAME unmapfuzz-tool)
  target_link_libraries(kernel_${key}_tool PRIVATE uf_tool)
  set(exes kernel_${key}_tool)
  if(UNMAPFUZZ_LIBFUZZER)
    add_executable(kernel_${key}_fuzz EXCLUDE_FROM_ALL ${PROJECT_SOURCE_DIR}/fuzz/targets/unmap_diff.cc
      ${objs})
    target_link_options(kernel_${key}_fuzz PRIVATE -fsanitize=fuzzer)
    set_target_properties(kernel_${key}_fuzz PROPERTIES OUTPUT_NAME unmap_diff)
    list(APPEND exes kernel_${key}_fuzz)
  endif()
  foreach(exe ${exes})
    target_link_libraries(${exe} PRIVATE ${libs})
    set_target_properties(${exe} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${dir})
  endforeach()
  add_custom_target(kernel_${key} DEPENDS ${exes})
endfunction()
