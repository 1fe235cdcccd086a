// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QString>

#include <memory>

namespace sunset {

struct AdSourceProfile;
class BatchFlow;
class BatchTarget;
class Confirmer;
class MainWindow;
class ScanLoader;

// main()'s one call for the writeback part of the desktop app: the history of the profile ("demo" in demo mode,
// with writes going to an LDIF file in that profile), the Batch menu, scans recorded as they are shown, and the
// offer to settle an interrupted batch once the window is up. Problems opening the history are shown in the
// status bar; the rest of the app works without it. The flow's questions go through confirmer (the app: a
// DialogConfirmer, the admin's own boxes).
BatchFlow* setUpWriteback(MainWindow& window, ScanLoader& loader, bool demo, std::shared_ptr<Confirmer> confirmer);

// Apply follows the scans: after each scan the loader finishes, flow's target is batchTargetFor() its AD side
// (noDirectoryMessage() when that was an export file). setUpWriteback() does this outside demo mode.
void followScannedDirectory(BatchFlow& flow, ScanLoader& loader);

// Where Apply writes after a scan whose AD side was ad: a live domain controller gets a LdapBatchTarget that
// connects and binds on the apply worker exactly as the scan did (URL, StartTLS, CA file, plaintext consent,
// simple bind with this password or Kerberos); the password lives in the target, in memory, for the session. An
// LDIF export gets none (null).
std::shared_ptr<BatchTarget> batchTargetFor(const AdSourceProfile& ad, const QByteArray& password);
// Why Apply is off when the AD side is an export file, and what to do instead.
QString noDirectoryMessage();

// The demo profile's writeback file: <profile folder>/demo-writeback.ldif.
QString demoWritebackPath();

// For the documentation screenshots (`sunset-screenshots batch PNG` / `history PNG`): ticks
// a few drift items of the demo tenant, opens the review (and for the history, approves and applies it first),
// saves the dialog or window to path and quits. It answers the flow's questions itself, as an admin would.
void takeWritebackScreenshot(MainWindow& window, BatchFlow& flow, bool history, const QString& path);

} // namespace sunset
