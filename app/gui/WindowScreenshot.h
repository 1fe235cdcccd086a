// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <QTemporaryDir>

#include <functional>

class QPixmap;
class QWidget;

namespace sunset {

class DesktopSession;

// Screenshots must look the same on every machine and leave this user's profile alone: while one lives, HOME is a
// throwaway folder (settings, the demo's history and writeback file, shown as ~/…) and the XDG overrides are gone.
class ThrowawayHome final {
public:
    ThrowawayHome();
    ThrowawayHome(const ThrowawayHome&) = delete;
    ThrowawayHome& operator=(const ThrowawayHome&) = delete;

private:
    QTemporaryDir m_home;
};

// Saves shot to path as PNG, then ends the application: exit code 0, or 1 with the reason on stderr when the file
// cannot be written.
void savePixmapAndQuit(const QPixmap& shot, const QString& path);
// savePixmapAndQuit() of widget once its views have laid out and painted.
void grabAndQuit(QWidget& widget, const QString& path);

// After the session's first scan is shown: runs prepare (select something, open a panel), then grabAndQuit() the
// window. A scan that fails ends the application with exit code 1 and its error on stderr.
void grabWindowAfterFirstScan(DesktopSession& session, const QString& path, std::function<void()> prepare);

} // namespace sunset
