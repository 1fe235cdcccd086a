// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDir>
#include <QString>

namespace sunset {

// A local path as the window shows it: native separators, and the home folder as ~ so the usual profile path
// (~/.local/share/sunset/profiles/NAME/history.sqlite) fits on a status line. Tooltips carry the full path.
inline QString displayPath(const QString& path)
{
    const QString native = QDir::toNativeSeparators(path);
    const QString home = QDir::toNativeSeparators(QDir::homePath());
    if (!home.isEmpty() && home != QDir::toNativeSeparators(QDir::rootPath()) &&
        native.startsWith(home + QDir::separator()))
        return u'~' + native.mid(home.size());
    return native;
}

} // namespace sunset
