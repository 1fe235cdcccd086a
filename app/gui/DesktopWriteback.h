#pragma once

#include <QString>

namespace sunset {

class BatchFlow;
class MainWindow;
class ScanLoader;

// main()'s one call for the writeback part of the desktop app: the history of the profile ("demo" in demo mode,
// with writes going to an LDIF file in that profile), the Batch menu, scans recorded as they are shown, and the
// offer to settle an interrupted batch once the window is up. Problems opening the history are shown in the
// status bar; the rest of the app works without it.
BatchFlow* setUpWriteback(MainWindow& window, ScanLoader& loader, bool demo);

// The demo profile's writeback file: <profile folder>/demo-writeback.ldif.
QString demoWritebackPath();

// For the documentation screenshots (`sunset --demo --screenshot-batch PNG` / `--screenshot-history PNG`): ticks
// a few drift items of the demo tenant, opens the review (and for the history, approves and applies it first),
// saves the dialog or window to path and quits.
void takeWritebackScreenshot(MainWindow& window, BatchFlow& flow, bool history, const QString& path);

} // namespace sunset
