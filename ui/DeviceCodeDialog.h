// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDialog>

class QLabel;
class QUrl;

namespace sunset {

// Device code sign-in: the code to type and where, with a button that copies the code. Non-modal: the scan goes
// on polling in the background and the dialog closes when it ends.
class DeviceCodeDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeviceCodeDialog)

public:
    DeviceCodeDialog(const QString& userCode, const QUrl& verificationUri, const QString& message,
                     qint64 expiresInSeconds, QWidget* parent = nullptr);
    ~DeviceCodeDialog() override;
};

} // namespace sunset
