# SPDX-License-Identifier: Apache-2.0
# Build time (make check builds three trees on a clean 2-core machine; docs/security.md has the figures). Nothing
# here changes what is built or tested, only how fast: the linker, unity batches, one precompiled header per build,
# ccache.

# mold (Debian's mold, scripts/install-deps.sh) links in a fraction of GNU ld's time: the test executables each
# link the heavy libraries with their debug info. GNU ld where mold is missing.
include(CheckLinkerFlag)
check_linker_flag(CXX -fuse-ld=mold SUNSET_HAVE_MOLD)
if(SUNSET_HAVE_MOLD)
  add_link_options(-fuse-ld=mold)
endif()

# Unity builds: each target's sources compiled in batches of 8 as one translation unit, so the headers, templates
# and sanitizer instrumentation they share are compiled once per batch instead of once per file (the sanitizer
# build of graph/ took 42 % less CPU this way, measured 2026-12-07). Batches of 8 keep a rebuild after one edit
# short. A helper in an anonymous namespace must therefore have a name of its own within its target (or be shared).
option(SUNSET_UNITY_BUILD "Compile each target's sources in batches (unity build)" ON)
if(SUNSET_UNITY_BUILD)
  set(CMAKE_UNITY_BUILD ON)
  set(CMAKE_UNITY_BUILD_BATCH_SIZE 8)
endif()

# One precompiled header (cmake/SunsetPch.h: the standard and Qt headers most sources include) built once per
# build tree and reused by every target (sunset_use_pch_everywhere at the end of the top-level CMakeLists.txt).
# Parsing those headers was about a third of each translation unit's compile time. gcc only: its precompiled
# header is valid wherever the macros it was built with are defined alike, which holds for every target that links
# sunset_hygiene and Qt. The carrier gets only those (no QT_<MODULE>_LIB: those differ between targets, which is
# also why QtTest, which tests them, is not in the header). clang (the fuzz build) is stricter, so it goes without.
option(SUNSET_PCH "Precompile the common standard and Qt headers once per build tree (gcc)" ON)
if(SUNSET_PCH AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  add_library(sunset_pch OBJECT ${PROJECT_SOURCE_DIR}/cmake/SunsetPch.cpp)
  target_precompile_headers(sunset_pch PRIVATE ${PROJECT_SOURCE_DIR}/cmake/SunsetPch.h)
  target_link_libraries(sunset_pch PRIVATE sunset_hygiene)
  foreach(qt Core Gui Widgets Network Sql)
    target_include_directories(sunset_pch SYSTEM PRIVATE $<TARGET_PROPERTY:Qt6::${qt},INTERFACE_INCLUDE_DIRECTORIES>)
  endforeach()
  # What Qt6::Core defines besides QT_CORE_LIB (every consumer links Qt, so every consumer has it too).
  target_compile_definitions(sunset_pch PRIVATE $<$<NOT:$<CONFIG:Debug>>:QT_NO_DEBUG>)
  set_target_properties(sunset_pch PROPERTIES POSITION_INDEPENDENT_CODE ON AUTOMOC OFF)
  # A header that cannot be used (a target defines a macro differently) is said, not silently parsed again.
  target_compile_options(sunset_hygiene INTERFACE -Winvalid-pch -Wno-error=invalid-pch)
endif()

# sunset_use_pch_everywhere(): every C++ library and executable that links sunset_hygiene, in this directory and
# below, reuses sunset_pch. Called once, after all targets exist, so a new target needs no line of its own.
function(sunset_use_pch_everywhere)
  if(NOT TARGET sunset_pch)
    return()
  endif()
  set(dirs ${CMAKE_CURRENT_SOURCE_DIR})
  while(dirs)
    list(POP_FRONT dirs dir)
    get_property(sub DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
    list(APPEND dirs ${sub})
    get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
    foreach(target IN LISTS targets)
      get_target_property(type ${target} TYPE)
      get_target_property(links ${target} LINK_LIBRARIES)
      get_target_property(own ${target} PRECOMPILE_HEADERS)
      get_target_property(reused ${target} PRECOMPILE_HEADERS_REUSE_FROM)
      if(type MATCHES "^(STATIC_LIBRARY|OBJECT_LIBRARY|EXECUTABLE)$" AND NOT target STREQUAL "sunset_pch"
         AND "sunset_hygiene" IN_LIST links AND NOT own AND NOT reused)
        target_precompile_headers(${target} REUSE_FROM sunset_pch)
      endif()
    endforeach()
  endwhile()
endfunction()
