## Обращение глазами агента
agent-ticket-held-back = Не отправлено: после того как вы открыли обращение, в нём написал(а) { $who }. Прочитайте новые сообщения ниже — ваш текст сохранён.
agent-ticket-the-requester = заявитель
agent-ticket-others-viewing = В последние минуты с этим обращением работали: { $names }.
agent-ticket-break-glass = Вы открыли это обращение через экстренный доступ. Оно доступно вам только для чтения, участники его очереди уведомлены.
agent-ticket-facts = Сведения
agent-ticket-queue = Очередь
agent-ticket-restricted = (с ограниченным доступом)
agent-ticket-tier = Линия
agent-ticket-status = Статус
agent-ticket-priority = Приоритет
agent-ticket-category = Категория
agent-ticket-assignee = Исполнитель
agent-ticket-nobody = не назначен
agent-ticket-first-response = Первый ответ
agent-ticket-first-given = дан { $time }
agent-ticket-resolution = Решение
agent-ticket-reopened = Открывалось повторно
agent-ticket-reopen-count = { $count ->
    [one] { $count } раз
    [few] { $count } раза
   *[many] { $count } раз
}
agent-ticket-spam-review = Проверка на спам
agent-ticket-spam-confirmed = Закрыто как спам: { $by }, подтверждено: { $confirmer }. Действует сокращённый срок хранения для спама.
agent-ticket-spam-pending = Закрыто как спам: { $by }. Ждёт подтверждения второго агента; до тех пор действует обычный срок хранения.
agent-ticket-spam-not-recorded = (не записано)
agent-ticket-spam-confirm = Подтвердить спам
agent-ticket-spam-restore = Восстановить (не спам)
agent-ticket-timeline = Переписка и история изменений
agent-ticket-requester = Заявитель
agent-ticket-automatic = hushdesk (автоматически)
agent-ticket-badge-internal = внутренняя заметка
agent-ticket-badge-encrypted = зашифровано
agent-ticket-signature-verified = подпись проверена
agent-ticket-signature-verified-hint = Подписано ключом, закреплённым за этим обращением
agent-ticket-signature-signed = подписано, ключ ещё не доверенный
agent-ticket-signature-signed-hint = Верная подпись ключом, пришедшим с этим письмом: она подтверждает целостность текста, но не личность отправителя
agent-ticket-signature-unverified = подпись не проверена
agent-ticket-signature-unverified-hint = Письмо подписано, но ключа для проверки подписи нет
agent-ticket-signature-bad = неверная подпись
agent-ticket-signature-bad-hint = Подпись не соответствует тексту: его изменили или подделали
agent-ticket-attachment-size = { $size } байт
agent-ticket-attachment-sealed = зашифровано, просмотр недоступен
agent-ticket-attachment-download = Скачать
agent-ticket-attachment-download-hint = Создаёт одноразовую ссылку только для вас на { $count ->
    [one] { $count } минуту
    [few] { $count } минуты
   *[many] { $count } минут
}; скачивание записывается в журнал аудита
download-link-spent = Эта ссылка для скачивания уже использована, истекла или создана для другого сотрудника. Вернитесь к обращению и нажмите «Скачать» ещё раз.
agent-ticket-change-status = Статус: { $from } → { $to }
agent-ticket-change-priority = Приоритет: { $from } → { $to }
agent-ticket-change-assignee = Исполнитель: { $from } → { $to }
agent-ticket-change-queue = Очередь: { $from } → { $to }
agent-ticket-change-tier = Линия: { $from } → { $to }
agent-ticket-change-reason = Причина: { $reason }
agent-ticket-write = Написать
agent-ticket-reply-heading = Ответ заявителю
agent-ticket-canned = Шаблон ответа
agent-ticket-canned-choose = (выберите)
agent-ticket-canned-insert = Вставить в ответ
agent-ticket-reply-label = Ответ (будет отправлен заявителю)
agent-ticket-reply-button = Отправить ответ заявителю
agent-ticket-note-heading = Внутренняя заметка
agent-ticket-note-warning = Внутренняя заметка: заявитель её никогда не увидит.
agent-ticket-note-label = Заметка (только для сотрудников)
agent-ticket-note-button = Добавить внутреннюю заметку
agent-ticket-set-status = Сменить статус
agent-ticket-set-priority = Сменить приоритет
agent-ticket-assign-to-me = Взять себе
agent-ticket-assign-to = Назначить исполнителя
agent-ticket-assign = Назначить
agent-ticket-move-queue = Перевести в очередь
agent-ticket-move-reason = Причина (обязательно)
agent-ticket-move = Перевести
agent-ticket-escalate-reason = Передать на линию выше: причина
agent-ticket-escalate = Передать выше
agent-ticket-deescalate-reason = Вернуть на линию ниже: причина
agent-ticket-deescalate = Вернуть ниже
agent-ticket-spam-hint = Закрыть как спам: обращение исчезнет из списков. Потребуется подтверждение.
agent-ticket-spam-button = Закрыть как спам…
agent-ticket-spam-question = Закрыть это обращение как спам?
agent-ticket-spam-explanation = Обращение исчезнет из списков. Сокращённый срок хранения для спама начнёт действовать только после подтверждения вторым агентом; до тех пор владельцы очереди могут его восстановить.
agent-ticket-spam-yes = Да, закрыть как спам
agent-ticket-cancel = Отмена
agent-ticket-conflict-queue = Обращение можно перевести только в другую из ваших очередей.
agent-ticket-spam-confirm-ask = Подтвердить спам…
agent-ticket-spam-confirm-question = Подтвердить, что это обращение — спам?
agent-ticket-spam-confirm-explanation = С этого момента действует сокращённый срок хранения для спама: когда он истечёт, обращение будет удалено навсегда, и владельцы очереди уже не смогут его восстановить.
agent-ticket-rating = Оценка
agent-ticket-rating-offered = Запрошена, ответа нет
agent-ticket-rating-declined = Отказ от оценки
agent-ticket-rating-score = { $count ->
    [one] { $count } из 5
    [few] { $count } из 5
   *[many] { $count } из 5
}
