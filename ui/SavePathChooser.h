// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

#include <functional>

class QWidget;

namespace sunset {

// What a window asks when it needs a file to write (an export): the dialog's title, the file offered, which files
// it lists and the suffix added to a name typed without one.
struct SaveFileRequest {
    QString title;
    QString suggestedPath;
    QString nameFilter;
    QString defaultSuffix;
};

// Asks where to save, without a nested event loop: `chosen` runs with the path once one is chosen, and never when
// the admin cancels. Injected into the views that export (HistoryView), so that tests choose for the admin.
class SavePathChooser {
public:
    virtual ~SavePathChooser() = default;
    virtual void choose(QWidget* parent, const SaveFileRequest& request,
                        std::function<void(const QString& path)> chosen) = 0;
};

// The admin's choice: a save file dialog over `parent`, opened (never exec'd).
class FileDialogSavePathChooser final : public SavePathChooser {
public:
    void choose(QWidget* parent, const SaveFileRequest& request,
                std::function<void(const QString& path)> chosen) override;
};

} // namespace sunset
