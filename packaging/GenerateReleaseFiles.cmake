# SPDX-License-Identifier: Apache-2.0
# Build-time step of packaging/CMakeLists.txt (cmake -P): the files that carry the build's version, made from
# the version git gave (cmake/SunsetVersion.cmake's version.cmake):
#   sunset.1.gz, sunset-cli.1.gz, sunset-cli.bash  sunset-docgen, from the built programs' --help
#   APP_ID.metainfo.xml, changelog.gz              from packaging/*.in
# Inputs: -DVERSION_FILE -DDOCGEN -DCLI -DGUI -DSOURCE_DIR -DOUT_DIR -DSUNSET_APP_ID -DSUNSET_HOMEPAGE
#         -DSUNSET_SCREENSHOT_URL -DSUNSET_MAINTAINER
cmake_minimum_required(VERSION 3.25)
include("${VERSION_FILE}")
file(MAKE_DIRECTORY "${OUT_DIR}")

execute_process(COMMAND "${DOCGEN}" --cli "${CLI}" --gui "${GUI}" --version "${SUNSET_BUILD_VERSION}"
                        --date "${SUNSET_BUILD_DATE}" --out "${OUT_DIR}"
                COMMAND_ERROR_IS_FATAL ANY)
configure_file("${SOURCE_DIR}/packaging/sunset.metainfo.xml.in" "${OUT_DIR}/${SUNSET_APP_ID}.metainfo.xml" @ONLY)
configure_file("${SOURCE_DIR}/packaging/changelog.in" "${OUT_DIR}/changelog" @ONLY)

# Debian compresses man pages and the changelog with gzip -9n (no name or time stamp: the same bytes every build).
foreach(file sunset.1 sunset-cli.1 changelog)
  execute_process(COMMAND gzip -9nf "${OUT_DIR}/${file}" COMMAND_ERROR_IS_FATAL ANY)
endforeach()
