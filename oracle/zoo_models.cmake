# uf_zoo_models: every batched/ bug-zoo patch (tests/bugzoo/*.patch) applied
# to a copy of batched/rmap.cc at configure time and compiled into its own
# namespace (-Dbatched=zoo_NAME renames uf::batched throughout the copy and
# the header it includes), plus the table oracle/zoo_models.h declares. A
# patch that does not apply (a ported batched/) leaves its entry out; an edit
# to batched/rmap.cc or a patch reconfigures.
file(GLOB UF_ZOO_PATCHES ${PROJECT_SOURCE_DIR}/tests/bugzoo/*.patch)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${UF_ZOO_PATCHES}
  ${PROJECT_SOURCE_DIR}/batched/rmap.cc)
find_program(UF_PATCH patch)
set(model_srcs)
set(model_decls "")
set(model_rows "")
set(skipped)
foreach(patch ${UF_ZOO_PATCHES})
  get_filename_component(name ${patch} NAME_WE)
  file(READ ${patch} text)
  # A patch of reference/ models a different reference, not a known bug of batched code.
  if(NOT text MATCHES "\\+\\+\\+ b/batched/rmap.cc" OR text MATCHES "\\+\\+\\+ b/reference/")
    continue()
  endif()
  set(dir ${PROJECT_BINARY_DIR}/zoo-models/${name})
  # Patched in a scratch copy and copied over only when it changed: every
  # new kernel variant reconfigures, and a rewritten copy would rebuild
  # every model and relink every executable.
  set(scratch ${PROJECT_BINARY_DIR}/zoo-models/.scratch-${name})
  file(REMOVE_RECURSE ${scratch})
  file(MAKE_DIRECTORY ${scratch}/batched)
  file(COPY ${PROJECT_SOURCE_DIR}/batched/rmap.cc DESTINATION ${scratch}/batched)
  set(rc 1)
  if(UF_PATCH)
    execute_process(COMMAND ${UF_PATCH} --batch --forward --quiet -p1 -d ${scratch} -i ${patch}
      RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  endif()
  if(NOT rc EQUAL 0)
    file(REMOVE_RECURSE ${scratch} ${dir})
    list(APPEND skipped ${name})
    continue()
  endif()
  file(MAKE_DIRECTORY ${dir}/batched)
  file(COPY_FILE ${scratch}/batched/rmap.cc ${dir}/batched/rmap.cc ONLY_IF_DIFFERENT)
  file(REMOVE_RECURSE ${scratch})
  list(APPEND model_srcs ${dir}/batched/rmap.cc)
  set_source_files_properties(${dir}/batched/rmap.cc PROPERTIES COMPILE_DEFINITIONS batched=zoo_${name})
  string(APPEND model_decls "namespace uf::zoo_${name}\n{\nbool try_to_unmap(folio *folio, unsigned int flags);\n}\n")
  string(APPEND model_rows "    {\"${name}\", zoo_${name}::try_to_unmap},\n")
endforeach()
if(skipped)
  message(STATUS "bug zoo: patches that do not apply to this tree, so no known-bug model of them: ${skipped}")
endif()
set(UF_ZOO_MODEL_DECLS "${model_decls}")
set(UF_ZOO_MODEL_ROWS "${model_rows}")
configure_file(${PROJECT_SOURCE_DIR}/oracle/zoo_models.cc.in ${PROJECT_BINARY_DIR}/zoo-models/zoo_models.cc @ONLY)
add_library(uf_zoo_models STATIC ${model_srcs} ${PROJECT_BINARY_DIR}/zoo-models/zoo_models.cc)
target_link_libraries(uf_zoo_models PUBLIC uf_mm)
