# Оповещения: как называется каждый тип и что в нём сказано. Аргументы — имена, числа и
# идентификаторы, сохранённые с оповещением; `by` — администратор, который действовал
# («оператор», если никто из них).

alert-kind-agent-created = Создана учётная запись
alert-kind-enrolled = Использована ссылка для входа
alert-kind-reset-requested = Сброс ждёт второго администратора
alert-kind-credentials-reset = Сброшены учётные данные
alert-kind-enrolment-link-voided = Ссылка для входа аннулирована
alert-kind-agent-role-changed = Изменена роль
alert-kind-admin-disabled = Отключена учётная запись администратора
alert-kind-admin-enabled = Включена учётная запись администратора
alert-kind-agent-disabled = Отключена учётная запись
alert-kind-agent-enabled = Включена учётная запись
alert-kind-queue-renamed = Очередь переименована
alert-kind-queue-changed = Изменены настройки очереди
alert-kind-member-added = Участник закрытой очереди
alert-kind-member-removed = Исключение из закрытой очереди
alert-kind-queue-unrestricted = Очередь больше не закрытая
alert-kind-break-glass = Экстренный доступ
alert-kind-hourly-views = Просмотрено много обращений
alert-kind-probing = Перебор обращений
alert-kind-hourly-downloads = Скачано много вложений
alert-kind-restricted-access = Чтение закрытой очереди
alert-kind-failed-logins = Неудачные попытки входа
alert-kind-allowlist-added = Добавлена запись белого списка
alert-kind-hold-placed = Установлен запрет на удаление
alert-kind-proof-hook-unavailable = Проверочный хук не отвечает
alert-kind-other = Другое событие

alert-by-operator = оператор
alert-yes = да
alert-no = нет

alert-detail-agent-created = { $by }: создана учётная запись { $agent } с ролью «{ $role }»; выдана ссылка для входа
alert-detail-enrolled = { $agent }: по ссылке для входа от { $by } выбраны новые учётные данные
alert-detail-reset-requested = { $by }: запрошен сброс учётных данных { $agent }, участника закрытой очереди; нужно решение второго администратора
alert-detail-credentials-reset = { $by }: сброшены пароль и второй фактор { $agent }; выдана ссылка для входа
alert-detail-enrolment-link-voided = Открытая ссылка для входа { $agent } аннулирована: { $agent } теперь в закрытой очереди { $queue }, поэтому новый сброс требует второго администратора
alert-detail-agent-role-changed = { $by }: роль { $agent } изменена с «{ $from_role }» на «{ $to_role }»
alert-detail-admin-disabled = { $by }: отключена учётная запись администратора { $agent }
alert-detail-admin-enabled = { $by }: включена учётная запись администратора { $agent }
alert-detail-agent-disabled = { $by }: отключена учётная запись { $agent }
alert-detail-agent-enabled = { $by }: включена учётная запись { $agent }
alert-detail-queue-renamed = { $by }: очередь { $from } переименована в { $to }
alert-detail-queue-changed = { $by }: изменены настройки очереди; закрытая: { $restricted }; шифрование обязательно: { $require_encryption }
alert-detail-member-added = { $change ->
    [owner] { $by }: изменены права { $agent } в закрытой очереди { $queue }; владелец: { $owner }
   *[added] { $by }: { $agent } добавлен(а) в закрытую очередь { $queue }; владелец: { $owner }
}
alert-detail-member-removed = { $by }: { $agent } исключён(а) из закрытой очереди { $queue }
alert-detail-queue-unrestricted = { $by }: у очереди { $queue } снят признак закрытой
alert-detail-break-glass = Экстренный доступ на { $minutes ->
    [one] { $minutes } минуту
    [few] { $minutes } минуты
   *[many] { $minutes } минут
}
alert-detail-hourly-views = За последний час показано разных обращений: { $count }, открытых или в списках (порог { $threshold })
alert-detail-hourly-downloads = За последний час скачано запечатанных вложений: { $count } (порог { $threshold })
alert-detail-probing = За последний час запрошено неизвестных или недоступных обращений: { $count } (порог { $threshold })
alert-detail-restricted-access = { $action ->
    [search] В поиске показано обращений закрытой очереди { $queue }: { $count }
    [list] В списке показано обращений закрытой очереди { $queue }: { $count }
    [downloaded] Скачано вложение обращения закрытой очереди { $queue }
   *[opened] Открыто обращение в закрытой очереди { $queue }
}
alert-detail-failed-logins = Неудачных попыток входа подряд: { $count }; вход заблокирован на { $minutes ->
    [one] { $minutes } минуту
    [few] { $minutes } минуты
   *[many] { $minutes } минут
}
alert-detail-allowlist-added = Добавлена запись белого списка маскирования { $entry } ({ $kind })
alert-detail-hold-placed = Установлен запрет на удаление
alert-detail-proof-hook-unavailable = проверочный хук не дал пригодного ответа ({ $why ->
    [timeout] не ответил вовремя
    [status] ответил статусом ошибки
    [answer] ответ не был вида {"{"}"valid": true|false{"}"}
   *[connection] до него не удалось достучаться
}), поэтому код заявителя не удалось проверить; новые сбои в течение часа нового оповещения не вызывают

alert-kind-attachment-infected = Отклонён вредоносный файл
alert-detail-attachment-infected = в обращении был файл, совпавший с сигнатурой { $signature }; обращение отклонено, ничего из него не сохранено
alert-kind-scanner-unavailable = Антивирус недоступен
alert-detail-scanner-unavailable = антивирус (clamd) не ответил: изображения и другие файлы не принимаются, пока он не ответит; текст принимается
