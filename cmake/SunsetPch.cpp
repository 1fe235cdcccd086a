// SPDX-License-Identifier: Apache-2.0
// The translation unit that builds cmake/SunsetPch.h's precompiled header (cmake/SunsetBuildSpeed.cmake).
