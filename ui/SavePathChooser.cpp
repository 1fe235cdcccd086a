// SPDX-License-Identifier: Apache-2.0
#include "SavePathChooser.h"

#include <QFileDialog>

namespace sunset {

void FileDialogSavePathChooser::choose(QWidget* parent, const SaveFileRequest& request,
                                       std::function<void(const QString& path)> chosen)
{
    auto* dialog = new QFileDialog(parent, request.title, request.suggestedPath, request.nameFilter);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(request.defaultSuffix);
    QObject::connect(dialog, &QFileDialog::fileSelected, dialog, std::move(chosen));
    dialog->open();
}

} // namespace sunset
