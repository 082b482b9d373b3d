# Finds the OpenCV component libraries that Debian's per-component packages
# install (libopencv-core-dev, -imgproc-dev, -imgcodecs-dev, -videoio-dev).
# Those packages ship neither OpenCVConfig.cmake nor opencv4.pc (both come
# only with the full libopencv-dev), so this module looks for the headers and
# libraries directly and defines an imported target per component:
#   OpenCV::core, OpenCV::imgproc, OpenCV::imgcodecs, OpenCV::videoio
include(FindPackageHandleStandardArgs)

find_path(OpenCVComponents_INCLUDE_DIR opencv2/core.hpp PATH_SUFFIXES opencv4)
set(_edgetl_cv_vars OpenCVComponents_INCLUDE_DIR)
foreach(_c IN LISTS OpenCVComponents_FIND_COMPONENTS)
  find_library(OpenCVComponents_${_c}_LIBRARY NAMES opencv_${_c})
  if(OpenCVComponents_${_c}_LIBRARY)
    set(OpenCVComponents_${_c}_FOUND TRUE)
    if(NOT TARGET OpenCV::${_c})
      add_library(OpenCV::${_c} UNKNOWN IMPORTED)
      set_target_properties(OpenCV::${_c} PROPERTIES
        IMPORTED_LOCATION "${OpenCVComponents_${_c}_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${OpenCVComponents_INCLUDE_DIR}")
    endif()
  endif()
endforeach()
find_package_handle_standard_args(OpenCVComponents
  REQUIRED_VARS OpenCVComponents_INCLUDE_DIR HANDLE_COMPONENTS)
