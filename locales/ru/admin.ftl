# Страницы администратора: обзор, оповещения, показатели, сотрудники, очереди, SLA, журнал аудита, хранение, белый список.

## Обзор
admin-title = Администрирование
admin-intro = Администраторы настраивают сотрудников, очереди и маршрутизацию и читают журнал аудита. Содержимое обращений видно только участникам очереди — администраторам так же, как всем остальным.
admin-back = ← Администрирование
admin-link-alerts = Оповещения
admin-link-agents = Сотрудники
admin-link-queues = Очереди, маршрутизация и шаблоны ответов
admin-link-sla = Целевые сроки SLA
admin-link-audit = Журнал аудита
admin-link-retention = Сроки хранения и запреты на удаление
admin-link-allowlist = Белый список маскирования
admin-link-metrics = Показатели конфиденциальности
admin-unacknowledged = { $count ->
    [one] { $count } непросмотренное
    [few] { $count } непросмотренных
   *[many] { $count } непросмотренных
}
admin-alerts-to-handle = Оповещения, требующие внимания
admin-all-alerts = Все оповещения, включая просмотренные

## Оповещения
admin-alerts-title = Оповещения
admin-alerts-intro = Необычный доступ и изменения в том, кто что может читать. Каждое событие показано один раз; оповещения о вас или вызванные вашими действиями видят только другие администраторы.
admin-alerts-open = Требуют внимания
admin-alerts-done = Недавно просмотренные
admin-alert-when = Когда
admin-alert-kind = Тип
admin-alert-agent = Сотрудник
admin-alert-queue = Очередь
admin-alert-reference = Номер обращения
admin-alert-detail = Подробности
admin-alert-acknowledge = Отметить как просмотренное

## Показатели
admin-metrics-title = Показатели
admin-metrics-stored = Хранится обращений
admin-metrics-stored-value = { $live } (под запретом удаления: { $held })
admin-metrics-deleted = Удалено
admin-metrics-deleted-value = { $total }: по просьбе заявителя — { $requested }, по истечении срока хранения — { $retention }, как спам — { $spam }
admin-metrics-time-to-delete = Среднее время от закрытия до удаления
admin-metrics-days = { $days } дн.
admin-metrics-last-purge = Последняя очистка
admin-metrics-last-purge-value = { $count ->
    [one] { $count } обращение
    [few] { $count } обращения
   *[many] { $count } обращений
}
admin-metrics-masked = Замаскированных данных на обращение
admin-metrics-outbox = Писем в очереди на отправку
admin-metrics-hint = Те же данные доступны по адресу /metrics (Prometheus). Просмотр этой страницы записывается в журнал аудита.

## Сотрудники
admin-agents-title = Сотрудники
admin-agents-issued-title = Ссылка активации для { $name }
admin-agents-issued-text = Передайте эту ссылку сотруднику { $name } лично, по защищённому каналу. Она срабатывает один раз, действует до { $expires } и показывается только сейчас. По ней сотрудник сам задаёт пароль и, если нужно, новый второй фактор; до этого войти в учётную запись нельзя. Другие администраторы и владельцы очередей сотрудника { $name } получат оповещение, когда ссылка будет выдана и когда ею воспользуются.
admin-agents-issued-link = Ссылка активации:
admin-agents-issued-relative = Параметр public_url не задан: добавьте перед путём адрес, по которому сотрудники открывают службу поддержки.
admin-agents-resets-title = Сбросы, ожидающие второго администратора
admin-agents-resets-intro = Администраторов и участников (нынешних или недавних) закрытых очередей сбрасывают только с согласия второго администратора.
admin-agents-requested-by = Кто запросил
admin-agents-waiting = Ожидает другого администратора
admin-agents-approve = Подтвердить сброс
admin-agents-reject = Отклонить
admin-agents-name = Имя
admin-agents-role = Роль
admin-agents-second-factor = Второй фактор
admin-agents-queues = Очереди
admin-agents-state = Состояние
admin-agents-yes = есть
admin-agents-no = нет
admin-agents-state-disabled = отключён
admin-agents-state-locked = заблокирован
admin-agents-state-enrolling = ожидает активации
admin-agents-state-active = активен
admin-agents-edit = Изменить
admin-agents-disable = Отключить…
admin-agents-enable = Включить…
admin-agents-reset = Сбросить пароль и код
admin-agents-add-title = Добавить сотрудника
admin-agents-add-intro = Новый сотрудник получит ссылку активации, по которой сам задаст пароль и второй фактор.
admin-agents-admin-by-operator = Учётные записи администраторов создаёт оператор сервера в командной строке (hushdesk agent add --role admin).
admin-agents-totp = Второй фактор (для L3 обязателен)
admin-agents-add = Добавить сотрудника
admin-agents-reset-waits = { $name } — администратор или участник (нынешний или недавний) закрытой очереди: сброс вступит в силу после подтверждения вторым администратором.
admin-agents-reset-own = Свою учётную запись здесь сбросить нельзя. Обратитесь к другому администратору или к оператору сервера (hushdesk agent reset).
admin-agents-reset-rejected = Сброс учётной записи { $name } отклонён.
admin-agents-own-request = Этот сброс запросили вы: подтвердить или отклонить его должен другой администратор.
admin-agents-own-account-request = Этот сброс касается вашей учётной записи: решение принимает другой администратор.
admin-agents-choose-role = Выберите роль.
admin-agents-no-such-queue = Одной из указанных очередей не существует.

## Один сотрудник
admin-agent-title = Сотрудник { $name }
admin-agent-all = ← Все сотрудники
admin-agent-own = Это ваша учётная запись: каждое изменение записывается в журнал аудита, и другие администраторы получают оповещение.
admin-agent-role-title = Роль
admin-agent-save-role = Сохранить роль
admin-agent-role-hint = Роль определяет наивысшую линию поддержки, с обращениями которой работает сотрудник. Для L3 при входе нужен второй фактор. Учётные записи администраторов создаёт оператор сервера (hushdesk agent add --role admin).
admin-agent-queues-title = Очереди
admin-agent-member-of = Участник очередей
admin-agent-queues-hint = Участники закрытой очереди получают оповещение о новом участнике. Каждое изменение записывается в журнал аудита.
admin-agent-save-queues = Сохранить очереди
admin-agent-access-title = Доступ
admin-agent-disable-question = Отключить сотрудника { $name }?
admin-agent-enable-question = Включить сотрудника { $name }?
admin-agent-disable-text = Все сеансы сотрудника { $name } будут завершены, и войти снова он сможет только после того, как администратор включит учётную запись.
admin-agent-disable-own = Это ваша учётная запись: вы сразу выйдете из системы.
admin-agent-enable-text = Сотрудник { $name } снова сможет входить со своим паролем и вторым фактором.
admin-agent-disable-confirm = Отключить { $name }
admin-agent-enable-confirm = Включить { $name }
admin-agent-cancel = Отмена

## Очереди
admin-queues-title = Очереди
admin-badge-restricted = закрытая
admin-badge-encrypted = только зашифрованная почта
admin-queues-open = { $count ->
    [one] { $count } открытое обращение.
    [few] { $count } открытых обращения.
   *[many] { $count } открытых обращений.
}
admin-queues-members = Участники:
admin-queues-owner = (владелец)
admin-queues-none = нет
admin-queues-restricted = Закрытая
admin-queues-require-encryption = Только зашифрованная почта
admin-queues-save = Сохранить
admin-queues-add-member = Добавить участника
admin-queues-owner-box = владелец
admin-queues-add = Добавить
admin-queues-remove-member = Убрать участника
admin-queues-remove = Убрать
admin-queues-new-name = Новое название
admin-queues-rename = Переименовать
admin-queues-archive = В архив
admin-queues-archive-hint = Обращения и участники архивной очереди сохраняются; новые обращения её категорий попадают в general.
admin-queues-archived-title = Архивные очереди
admin-queues-queue = Очередь
admin-queues-open-tickets = Открытых обращений
admin-queues-restore = Вернуть в работу
admin-queues-new-title = Новая очередь
admin-queues-name = Название
admin-queues-restricted-new = Закрытая (о ней знают только участники)
admin-queues-create = Создать очередь
admin-routing-title = Маршрутизация
admin-routing-intro = Обращения каждой категории попадают в одну очередь; категории без правила и письма без категории попадают в general.
admin-routing-category = Категория
admin-routing-queue = Очередь
admin-routing-route = Назначить
admin-routing-choose-category = Выберите категорию.
admin-canned-title = Шаблоны ответов
admin-canned-new = Новый шаблон ответа
admin-canned-queue = Очередь
admin-canned-title-field = Название
admin-canned-text = Текст
admin-canned-save = Сохранить шаблон
admin-canned-delete = Удалить
admin-canned-add = Добавить шаблон

## SLA
admin-sla-title = Целевые сроки SLA
admin-sla-intro = Сколько часов обращение каждого приоритета может ждать первого ответа и решения. Срок, заданный здесь, имеет приоритет над разделом [sla] файла конфигурации; он действует для обращений, поступивших или сменивших приоритет с этого момента, а у уже открытых обращений сроки не меняются.
admin-sla-priority = Приоритет
admin-sla-first-response = Первый ответ (часов)
admin-sla-resolution = Решение (часов)
admin-sla-in-force = Действует
admin-sla-first-label = Первый ответ для { $priority }, часов
admin-sla-resolution-label = Решение для { $priority }, часов
admin-sla-save = Сохранить { $priority }
admin-sla-set-here = задано здесь
admin-sla-file-values = (в файле: { $first } ч / { $resolution } ч)
admin-sla-from-file = файл конфигурации
admin-sla-use-file = Вернуть значения из файла
admin-sla-whole-hours = целое число часов
admin-sla-choose-priority = Выберите приоритет.

## Журнал аудита
admin-audit-title = Журнал аудита
admin-audit-intro = Все просмотры, списки, поиски, изменения, входы и изменения настроек, сначала новые. В записях указано, кто, что и с каким обращением сделал, но никогда не содержимое. Команда hushdesk audit verify проверяет всю цепочку. Просмотр и выгрузка журнала тоже записываются в него.
admin-audit-who = Кто
admin-audit-who-hint = имя сотрудника, (system), (operator)
admin-audit-action = Действие
admin-audit-reference = Номер обращения
admin-audit-from = С (день по UTC)
admin-audit-until = По (день по UTC включительно)
admin-audit-filter = Показать
admin-audit-clear = Сбросить
admin-audit-download = Выгрузить эти записи в CSV
admin-audit-download-hint = (не более 100 000; выгрузка записывается в журнал)
admin-audit-when = Когда
admin-audit-detail = Подробности
admin-audit-none = Подходящих записей нет.
admin-audit-older = Более ранние записи
admin-audit-date = дата в виде ГГГГ-ММ-ДД

## Хранение
admin-retention-title = Сроки хранения и запреты на удаление
admin-retention-intro = Закрытые обращения удаляются безвозвратно, когда истекает срок хранения: само обращение, сообщения, вложения, зашифрованные контакты и ключ, а также собственный ключ шифрования обращения. Для подсчёта остаётся запись без содержимого. Обращения под запретом на удаление не удаляются никогда.
admin-retention-applies = Применяется к
admin-retention-days = Дней
admin-retention-default = Закрытые обращения (по умолчанию)
admin-retention-spam = Обращения, закрытые как спам и подтверждённые вторым сотрудником (с момента подтверждения)
admin-retention-attachments = Зашифрованные двоичные вложения, с момента загрузки
admin-retention-remove = убрать
admin-retention-hint = Срок для категории важнее срока для очереди, а тот важнее срока по умолчанию; для подтверждённого спама всегда действует срок для спама; обращение, закрытое как спам одним сотрудником, хранится обычный срок, и владельцы очереди могут его восстановить.
admin-retention-set-for = Задать срок хранения для
admin-retention-scope-default = закрытых обращений (по умолчанию)
admin-retention-scope-spam = спама
admin-retention-scope-attachments = зашифрованных вложений
admin-retention-scope-queue = очереди { $name }
admin-retention-scope-category = категории { $name }
admin-retention-days-field = дней
admin-retention-whole-days = целое число дней
admin-retention-save = Сохранить
admin-holds-title = Запреты на удаление
admin-holds-none = Запретов на удаление нет.
admin-holds-reference = Номер обращения
admin-holds-reason = Основание
admin-holds-by = Кто установил
admin-holds-since = С
admin-holds-release = Снять запрет
admin-holds-ticket = Запретить удаление обращения
admin-holds-place = Установить запрет

## Белый список
admin-allowlist-title = Белый список маскирования
admin-allowlist-intro = Публичные данные самой организации: телефон горячей линии, адрес поддержки, почтовый домен. Маскировщик оставляет их как есть везде: в обращениях, ответах, внутренних заметках, письмах и в предпросмотре у заявителя. Одна запись покрывает любое написание значения (8 800 555-35-35 и +7 (800) 555 35 35 — одна запись); @bank.example покрывает все адреса этого домена.
admin-allowlist-hint = Добавлять можно только то, что маскировщик скрыл бы, по одному значению. Секреты (номера карт, пароли, коды, ключи) маскируются всегда, и добавить их нельзя. Никогда не добавляйте данные клиентов: список предназначен для того, что организация публикует сама.
admin-allowlist-value = Значение
admin-allowlist-kind = Тип
admin-allowlist-added-by = Кто добавил
admin-allowlist-added = Когда добавлено
admin-allowlist-from-file = файл конфигурации
admin-allowlist-remove = Убрать
admin-allowlist-empty = Записей нет: всё, что находят правила, маскируется.
admin-allowlist-new = Значение, которое не нужно маскировать
admin-allowlist-add = Добавить
admin-allowlist-file-hint = Записи из файла конфигурации ([redaction] allow = […]) меняются в самом файле.

admin-hours-title = Рабочее время
admin-hours-intro = С рабочим временем сроки SLA считают только часы, когда служба работает, в её часовом поясе, и пропускают перечисленные праздники: при работе с 9:00 до 18:00 обращение с 4-часовым сроком, поступившее в пятницу в 17:00, нужно решить к 12:00 понедельника. Изменение действует для обращений, поступивших или сменивших приоритет с этого момента. Обращение, ожидающее ответа заявителя, закрывается через заданное число рабочих дней: выбранных здесь, без праздников (с понедельника по пятницу, пока сроки идут круглосуточно).
admin-hours-in-force-since = Действует рабочее время, заданное { $time }.
admin-hours-around-the-clock-now = Сроки SLA идут круглосуточно, без выходных.
admin-hours-clock = Как идут сроки SLA
admin-hours-always = Круглосуточно, без выходных
admin-hours-business = Только в рабочее время
admin-hours-days = Рабочие дни
admin-hours-opens = Начало работы
admin-hours-closes = Конец работы
admin-hours-closes-hint = 24-часовой формат, ЧЧ:ММ; 24:00 — полночь в конце дня.
admin-hours-zone = Часовой пояс
admin-hours-holidays = Праздники
admin-hours-holidays-hint = По одной дате в строке, в виде ГГГГ-ММ-ДД (например, 2027-01-07). В эти дни сроки не идут.
admin-hours-save = Сохранить рабочее время
admin-hours-bad-time = время в виде ЧЧ:ММ, от 00:00 до 24:00
admin-hours-unknown-zone = часовой пояс из списка
admin-hours-no-days = хотя бы один рабочий день
admin-hours-closes-before-opens = время окончания позже времени начала
admin-hours-bad-holiday = даты в виде ГГГГ-ММ-ДД, по одной в строке
admin-hours-too-many-holidays = не больше 400 праздников
weekday-monday = Понедельник
weekday-tuesday = Вторник
weekday-wednesday = Среда
weekday-thursday = Четверг
weekday-friday = Пятница
weekday-saturday = Суббота
weekday-sunday = Воскресенье
admin-canned-delete-question = Удалить шаблон ответа «{ $title }» очереди { $queue }?
admin-canned-delete-explanation = Агенты очереди больше не найдут его в списке шаблонов. Отменить удаление нельзя; уже отправленные с ним ответы не изменятся.
admin-canned-delete-yes = Да, удалить
admin-agent-last-admin = { $role }. Это единственная действующая учётная запись администратора: понизить её нельзя, пока не появится другой действующий администратор (администраторы создаются командой `hushdesk agent add`).
admin-agent-last-admin-access = Единственную действующую учётную запись администратора нельзя отключить: тогда никто не сможет настраивать службу и одобрять сброс.
admin-audit-any-action = Любое действие
admin-link-proofs = Коды восстановления и токены
admin-proofs-title = Коды восстановления и токены
admin-proofs-intro = Заявитель может доказать, что аккаунт принадлежит ему, введя в своей заявке код восстановления или одноразовый токен. Сначала служба ищет код в списках токенов ниже, затем, если он настроен, спрашивает проверочный хук продукта. Хранится только ключевой хеш каждого токена, сам токен не хранится; токен, который однажды что-то доказал, израсходован.
admin-proofs-limit = { $count ->
    [one] У заявки может быть { $count } неудачная проверка в час; после этого проверки ждут, чтобы страницей нельзя было подбирать токены.
    [few] У заявки может быть { $count } неудачные проверки в час; после этого проверки ждут, чтобы страницей нельзя было подбирать токены.
   *[many] У заявки может быть { $count } неудачных проверок в час; после этого проверки ждут, чтобы страницей нельзя было подбирать токены.
}
admin-proofs-hook = Проверочный хук
admin-proofs-hook-configured = Коды, которых нет в списках, отправляются хуку на { $host } с подписью общим секретом из файла конфигурации.
admin-proofs-hook-none = Проверочный хук не настроен (`[proofs.hook]` в файле конфигурации): проверяются только списки токенов.
admin-proofs-hook-last-failure = Последний раз хук не ответил { $time }.
admin-proofs-hook-no-failure = Хук ещё ни разу не оставил запрос без ответа.
admin-proofs-lists = Списки токенов
admin-proofs-name = Список
admin-proofs-total = Токенов
admin-proofs-used = Использовано
admin-proofs-imported-at = Загружен
admin-proofs-imported-by = Кем
admin-proofs-empty = Списков токенов пока нет.
admin-proofs-delete = Удалить
admin-proofs-imported = { $count ->
    [one] Загружен { $count } токен.
    [few] Загружено { $count } токена.
   *[many] Загружено { $count } токенов.
}
admin-proofs-duplicates = { $count ->
    [one] { $count } токен пропущен: он уже есть в списке.
    [few] { $count } токена пропущено: они уже есть в списках.
   *[many] { $count } токенов пропущено: они уже есть в списках.
}
admin-proofs-import = Загрузить список
admin-proofs-new-name = Название списка (например: коды восстановления 2026-11)
admin-proofs-new-tokens = Токены, по одному в строке
admin-proofs-import-hint = Пробелы, дефисы и регистр букв не важны: AB12-CD34 и ab12cd34 — один токен. В каждом токене не меньше 6 символов. Для списков больше, чем принимает эта форма, используйте `hushdesk proofs import`.
admin-proofs-import-button = Загрузить
admin-proofs-delete-question = Удалить список токенов «{ $name }»?
admin-proofs-delete-explanation = { $count ->
    [one] Его { $count } неиспользованный токен сразу перестанет что-либо доказывать. Это нельзя отменить.
    [few] Его { $count } неиспользованных токена сразу перестанут что-либо доказывать. Это нельзя отменить.
   *[many] Его { $count } неиспользованных токенов сразу перестанут что-либо доказывать. Это нельзя отменить.
}
admin-proofs-delete-yes = Да, удалить список
proofs-error-empty-name = название списка
proofs-error-name-too-long = название не длиннее 100 символов
proofs-error-name-control = название без управляющих символов
proofs-error-no-tokens = хотя бы один токен, по одному в строке
proofs-error-too-many = не больше 100 000 токенов в одном списке
proofs-error-bad-token = в токене в строке { $line } меньше 6 или больше 256 символов
admin-lead-period = Период
admin-lead-last = Последние
admin-lead-days = { $count ->
    [one] { $count } день
    [few] { $count } дня
   *[many] { $count } дней
}
admin-lead-show = Показать
admin-lead-dates = Или между двумя датами
admin-lead-from = С
admin-lead-until = По (включительно)
admin-lead-date = Укажите обе даты в виде ГГГГ-ММ-ДД, вторую не раньше первой, не дальше десяти лет.
admin-lead-days-invalid = Укажите число дней от 1 до 3660.
admin-lead-period-shown = Обращения, поданные с { $from } по { $until } (UTC), хранимые и удалённые
admin-lead-export = Скачать CSV
admin-lead-handling = Обработка по очередям и приоритетам
admin-lead-handling-hint = Время считается от подачи; медиана и 90-й процентиль по ближайшему рангу. SLA: первые ответы, данные в срок. Решение с первого контакта: завершено с одним публичным ответом агента, без сообщений заявителя после него и без переоткрытий. Переоткрытые: из обращений, завершённых хотя бы раз. Удалённые обращения учитываются по итогу, который оставило удаление.
admin-lead-queue = Очередь
admin-lead-priority = Приоритет
admin-lead-tickets = Обращения
admin-lead-fr-median = Первый ответ, медиана
admin-lead-fr-p90 = Первый ответ, 90%
admin-lead-res-median = Решение, медиана
admin-lead-res-p90 = Решение, 90%
admin-lead-sla = SLA соблюдён
admin-lead-fcr = Решено с первого контакта
admin-lead-reopen = Переоткрыто
admin-lead-all = Все
admin-lead-rate = { $percent }% ({ $hits } из { $of })
admin-lead-chart-first-response = Медиана первого ответа по очередям и приоритетам
admin-lead-chart-first-response-desc = По одной полосе на очередь и приоритет; чем медленнее первый ответ, тем длиннее полоса. Числа приведены в таблице ниже.
admin-lead-chart-backlog = Открытые обращения по очередям
admin-lead-chart-backlog-desc = По одной полосе на очередь; чем больше открытых обращений, тем длиннее полоса. Числа по возрасту приведены в таблице очереди.
admin-lead-backlog = Открытые обращения по возрасту
admin-lead-age-lt1d = Меньше дня
admin-lead-age-1to3d = От 1 до 3 дней
admin-lead-age-3to7d = От 3 до 7 дней
admin-lead-age-gt7d = Больше 7 дней
admin-lead-satisfaction = Удовлетворённость
admin-lead-satisfaction-hint = Считается по ISO-неделям, которых касается период, по моменту запроса или ответа. В счётчиках нет ни обращений, ни комментариев, поэтому они переживают любое удаление.
admin-lead-offered = Запрошено
admin-lead-declined = Отказались
admin-lead-rated = Оценили
admin-lead-average = Средняя (1–5)
admin-lead-response = Ответили оценкой
admin-lead-kb = База знаний
admin-lead-kb-helpful = Статьи, которые помогли
admin-lead-kb-self-service = Доля самообслуживания
admin-lead-no-data = Нет данных.
admin-lead-privacy = Приватность
admin-lead-deleted-on-request = Удалено по просьбе заявителя
admin-lead-security = Безопасность
admin-lead-break-glass = Экстренные доступы
admin-lead-failed-lookups = Неудачные поиски по номеру
admin-lead-p1-median = Первый ответ на обращения P1 о безопасности, медиана
admin-lead-p1-p90 = Первый ответ на обращения P1 о безопасности, 90%
admin-lead-alerts = Оповещения по видам
admin-lead-alert-kind = Вид
admin-lead-count = Количество
