// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QMetaType>
#include <QString>

namespace sunset {

// The two sides a scan reads at the same time.
enum class ScanSide : quint8 { Cloud, Ad };

// How far one side of a scan has got, for its progress bar: items (entries, users, mailboxes) for a live
// source, bytes for a file (whose record count is known only at its end).
struct SideProgress {
    enum class Unit : quint8 { Items, Bytes };
    enum class Stage : quint8 { Waiting, SigningIn, Reading, Done };

    Stage stage = Stage::Waiting;
    QString what;        // "demo-ad.ldif", "dc01.contoso.com", "Entra ID users"
    Unit unit = Unit::Items;
    qint64 done = 0;
    qint64 total = -1;   // -1: not known (a live source that does not say how many)
    double perSecond = 0;
};

} // namespace sunset

Q_DECLARE_METATYPE(sunset::ScanSide)
Q_DECLARE_METATYPE(sunset::SideProgress)
