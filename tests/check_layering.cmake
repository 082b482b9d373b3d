# Fails if any core source under src/ includes a trainer header
# (imprinting/, backprop/, or their public headers): trainers use the core,
# never the other way round.
file(GLOB_RECURSE core_files "${ROOT}/src/*.cc" "${ROOT}/src/*.h")
set(bad "")
foreach(f IN LISTS core_files)
  if(f MATCHES "/src/cli/")
    continue()  # the CLI is an app on top of everything
  endif()
  file(STRINGS "${f}" lines REGEX "#include [\"<](imprinting/|backprop/|edgetl/imprinting|edgetl/softmax_regression|edgetl/retrainer)")
  if(lines)
    list(APPEND bad "${f}: ${lines}")
  endif()
endforeach()
if(bad)
  message(FATAL_ERROR "core sources include trainer headers:\n${bad}")
endif()
message(STATUS "layering ok: ${CMAKE_CURRENT_LIST_FILE}")
