# uf_kernel_variant(KEY CUT SEMANTICS AGAINST SOURCE VERSION [ALL] [INCLUDE FILE...])
#
# One kernel variant: CUT (the file kernel-extract wrote, or the OUTPUT of a
# custom command that writes it) compiled as GNU C against the shim, linked
# with the bridge and one kernel program (oracle/program_kernel.cc) into the
# same three executables a build directory has, in BINARY_DIR/kernel/KEY:
#   unmapfuzz-tool      repro, print, encode, exhaust, minimize
#   unmap_diff          the libFuzzer or AFL++ target (fuzzing presets)
#   unmap_diff_replay   the engine-less replay driver (coverage)
#   kernel_speed        the kernel program against the batched one (bench/)
# SEMANTICS: K0..K5; AGAINST: reference (the kernel in the batched slot) or
# batched (the kernel in the reference slot); SOURCE and VERSION name the
# tree in reports. Target kernel_KEY builds all three; "all" builds it only
# with ALL. INCLUDE: headers force-included after the shim, in this order (a
# user's --kernel-shim file, then the helpers learned from the tree by
# kernel/learn.sh).
set(UF_KERNEL_DIR ${CMAKE_CURRENT_LIST_DIR})
# The kernel's own code-generation flags, the shim forced in, and every
# undeclared name an error (kernel/check.sh turns those into one line each).
set(UF_KERNEL_C_OPTIONS -std=gnu11 -fno-strict-aliasing -fno-strict-overflow -fno-common
  -include ${UF_KERNEL_DIR}/shim/kshim.h -I${UF_KERNEL_DIR}/shim
  -Werror=implicit-function-declaration -Werror=implicit-int -Werror=int-conversion
  -Werror=incompatible-pointer-types)
# Kernel code follows the kernel's warning set, not this project's.
set(UF_KERNEL_C_WARNINGS -Wno-error -Wno-shadow -Wno-unused-parameter -Wno-sign-compare
  -Wno-missing-field-initializers -Wno-unused-function)
# What ./unmapfuzz needs to check and learn before a variant exists
# (kernel/learn.sh): the compiler, then the options, one a line.
string(REPLACE ";" "\n" uf_kernel_c_lines "${CMAKE_C_COMPILER};${UF_KERNEL_C_OPTIONS}")
file(WRITE ${PROJECT_BINARY_DIR}/kernel/c-options "${uf_kernel_c_lines}\n")

function(uf_kernel_variant key cut semantics against source version)
  cmake_parse_arguments(PARSE_ARGV 6 arg "ALL" "" "INCLUDE")
  set(dir ${PROJECT_BINARY_DIR}/kernel/${key})
  set(c_options ${UF_KERNEL_C_OPTIONS})
  set(c_target_options ${UF_KERNEL_C_OPTIONS})
  foreach(h ${arg_INCLUDE})
    list(APPEND c_options -include ${h})
    # SHELL: keeps CMake from merging the repeated "-include".
    list(APPEND c_target_options "SHELL:-include ${h}")
  endforeach()
  file(MAKE_DIRECTORY ${dir})
  if(against STREQUAL "batched")
    set(vs_batched 1)
  elseif(against STREQUAL "reference")
    set(vs_batched 0)
  else()
    message(FATAL_ERROR "kernel variant ${key}: AGAINST must be reference or batched, not '${against}'")
  endif()
  # The names check, before the compile proper.
  string(REPLACE " " ";" c_flags "${CMAKE_C_FLAGS}")
  file(GLOB shim_headers ${UF_KERNEL_DIR}/shim/kshim/*.h)
  add_custom_command(OUTPUT ${dir}/names.ok
    COMMAND ${UF_KERNEL_DIR}/check.sh ${dir}/names.ok ${cut} ${CMAKE_C_COMPILER}
      ${c_options} ${UF_KERNEL_C_WARNINGS}
    DEPENDS ${cut} ${UF_KERNEL_DIR}/check.sh ${UF_KERNEL_DIR}/shim/kshim.h ${shim_headers}
      ${UF_KERNEL_DIR}/kshim_abi.h ${arg_INCLUDE}
    COMMENT "kernel ${key}: checking the cut's names against the shim" VERBATIM)
  set(exclude EXCLUDE_FROM_ALL)
  set(all)
  if(arg_ALL)
    set(exclude)
    set(all ALL)
  endif()
  add_library(uf_kcut_${key} OBJECT ${exclude} ${cut} ${UF_KERNEL_DIR}/shim/glue.c)
  target_compile_options(uf_kcut_${key} PRIVATE ${c_target_options} ${UF_KERNEL_C_WARNINGS})
  set_source_files_properties(${cut} PROPERTIES OBJECT_DEPENDS "${dir}/names.ok;${arg_INCLUDE}")
  add_library(uf_kprog_${key} OBJECT ${exclude} ${PROJECT_SOURCE_DIR}/oracle/program_kernel.cc)
  target_link_libraries(uf_kprog_${key} PRIVATE uf_mm)
  target_compile_definitions(uf_kprog_${key} PRIVATE UF_KERNEL_AGAINST_BATCHED=${vs_batched}
    UF_KERNEL_SEMANTICS=${semantics} UF_KERNEL_SOURCE="${source}" UF_KERNEL_VERSION="${version}")
  set(objs $<TARGET_OBJECTS:uf_kcut_${key}> $<TARGET_OBJECTS:uf_kprog_${key}>)
  set(libs uf_fuzz uf_reference uf_batched uf_kernel_bridge)

  add_executable(kernel_${key}_tool ${exclude} ${PROJECT_SOURCE_DIR}/tools/main.cc ${objs})
  add_executable(kernel_${key}_replay ${exclude} ${PROJECT_SOURCE_DIR}/fuzz/targets/unmap_diff.cc
    ${PROJECT_SOURCE_DIR}/fuzz/targets/replay_main.cc ${objs})
  set_target_properties(kernel_${key}_tool PROPERTIES OUTPUT_NAME unmapfuzz-tool)
  set_target_properties(kernel_${key}_replay PROPERTIES OUTPUT_NAME unmap_diff_replay)
  set(exes kernel_${key}_tool kernel_${key}_replay)
  if(UNMAPFUZZ_LIBFUZZER)
    add_executable(kernel_${key}_fuzz ${exclude} ${PROJECT_SOURCE_DIR}/fuzz/targets/unmap_diff.cc ${objs})
    target_link_options(kernel_${key}_fuzz PRIVATE -fsanitize=fuzzer)
    set_target_properties(kernel_${key}_fuzz PROPERTIES OUTPUT_NAME unmap_diff)
    list(APPEND exes kernel_${key}_fuzz)
  endif()
  if(UNMAPFUZZ_BENCH)
    add_executable(kernel_${key}_speed ${exclude} ${PROJECT_SOURCE_DIR}/bench/kernel_speed.cc
      ${PROJECT_SOURCE_DIR}/bench/bench_inputs.cc ${objs})
    set_target_properties(kernel_${key}_speed PROPERTIES OUTPUT_NAME kernel_speed)
    list(APPEND exes kernel_${key}_speed)
  endif()
  target_link_libraries(kernel_${key}_tool PRIVATE uf_tool)
  foreach(exe ${exes})
    target_link_libraries(${exe} PRIVATE ${libs})
    set_target_properties(${exe} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${dir})
  endforeach()
  add_custom_target(kernel_${key} ${all} DEPENDS ${exes})
endfunction()
