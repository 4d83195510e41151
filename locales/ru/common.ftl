# Общее для всех страниц.
lang-name = Русский
skip-to-content = Перейти к содержимому
tickets-count = { $count ->
    [one] { $count } обращение
    [few] { $count } обращения
   *[many] { $count } обращений
}

## Даты: «26 ноября 2026, 14:05 MSK». Заявители видят UTC и рядом время службы.
date = { $day } { $month } { $year }
date-time = { $date }, { $time } { $zone }
date-and-time = { $date }, { $time }
time-with-desk-zone = { $time } ({ $local } { $zone })
month-1 = января
month-2 = февраля
month-3 = марта
month-4 = апреля
month-5 = мая
month-6 = июня
month-7 = июля
month-8 = августа
month-9 = сентября
month-10 = октября
month-11 = ноября
month-12 = декабря

## Длительности
span-minutes = { $minutes } мин
span-hours-minutes = { $hours } ч { $minutes } мин
span-days-hours = { $days } д { $hours } ч
sla-left = осталось { $span }
sla-overdue = просрочено на { $span }
sla-met = выполнено
sla-none = –
sla-stopped = не идёт: закрыто без ответа

## Состояния обращения
status-new = Новое
status-open = В работе
status-pending-requester = Ждёт ответа заявителя
status-escalated = Передано выше
status-resolved = Решено
status-closed = Закрыто
priority-P1 = P1 · срочный
priority-P2 = P2 · высокий
priority-P3 = P3 · обычный
priority-P4 = P4 · низкий
category-security = Безопасность
category-outage = Сбой
category-billing = Оплата
category-functionality = Что-то не работает
category-onboarding = Начало работы
category-data-request = Запрос о персональных данных
category-unsorted = Без категории
role-l1 = агент L1
role-l2 = агент L2
role-l3 = агент L3
role-admin = администратор
tier = L{ $tier }

## Общий макет для заявителей
public-title = Поддержка
public-tagline = конфиденциальная поддержка
staff-sign-in-footer = Вход создаёт один cookie сеанса; он удаляется, когда вы выходите.
public-footer = Без слежки, без cookie, без сторонних ресурсов. Персональные данные в вашем сообщении скрываются до сохранения.
language-switch-label = Язык

## Макет для сотрудников
staff-title = Служба поддержки
staff-nav-label = Меню сотрудника
nav-tickets = Обращения
nav-break-glass = Экстренный доступ
nav-account = Учётная запись
nav-admin = Администрирование
nav-who = { $name } ({ $role })
nav-sign-out = Выйти
nav-initial-password = Вы всё ещё входите с начальным паролем.
nav-choose-password = Задайте свой
staff-footer = Каждая открытая здесь страница записывается в журнал аудита.
