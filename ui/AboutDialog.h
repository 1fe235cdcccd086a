// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDialog>
#include <QStringList>

namespace sunset {

// What Help › About shows; app/ fills it from the build (app/about/BuildInfo), the window only displays it.
struct AboutFacts final {
    QString version;        // "0.1.0~git150.g1234567"; empty: QCoreApplication::applicationVersion()
    QString licence;        // SPDX identifier, "Apache-2.0"
    QStringList components; // "Qt 6.4.2 (LGPL-3.0-only)", one per library in use
};

// Help › About Sunset: version, licence and the libraries Sunset runs with, as `sunset --version` prints them,
// with a button that copies it all for a support ticket.
class AboutDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AboutDialog)

public:
    explicit AboutDialog(const AboutFacts& facts, QWidget* parent = nullptr);
    ~AboutDialog() override;

    // The dialog's facts as plain text (what Copy puts on the clipboard).
    static QString plainText(const AboutFacts& facts);
};

} // namespace sunset
