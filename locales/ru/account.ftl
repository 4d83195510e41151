# Страница учётной записи агента.
account-title = Учётная запись
account-heading = Ваша учётная запись
account-preferences = Язык и часовой пояс
account-language = Язык ваших страниц
account-language-browser = Как в настройках браузера
account-time-zone = Часовой пояс для дат
account-time-zone-desk = Часовой пояс службы поддержки
account-time-zone-now = Сейчас даты показываются в поясе { $zone }.
account-save = Сохранить
account-preferences-saved = Сохранено.
account-unknown-zone = Выберите часовой пояс из списка.
account-second-factor = Второй фактор
account-totp-add = Добавьте это в приложение-аутентификатор (большинство приложений принимают текст ниже, вставленный как URI ключа), затем введите показанный код.
account-totp-until = Пока вы этого не сделаете, действует прежний второй фактор.
account-code = Код
account-turn-on = Включить
account-totp-set = Настроен: для входа нужен код из приложения-аутентификатора.
account-totp-replace-why = Замените его, если его настраивал кто-то другой или у вас новый телефон: у владельца старого он перестанет работать.
account-current-code = Текущий код из аутентификатора
account-replace-totp = Заменить второй фактор
account-totp-none = Не настроен. Код из приложения-аутентификатора делает украденный пароль бесполезным сам по себе.
account-set-up-totp = Настроить второй фактор
account-change-password = Сменить пароль
account-current-password = Текущий пароль
account-new-password = { $count ->
    [one] Новый пароль (не меньше { $count } символа)
    [few] Новый пароль (не меньше { $count } символов)
   *[many] Новый пароль (не меньше { $count } символов)
}
account-new-password-again = Новый пароль ещё раз
account-sign-out-everywhere = Выйти на всех устройствах
account-sign-out-everywhere-what = Завершает все ваши сеансы и API-токены на всех устройствах, включая это.
account-passwords-differ = Новые пароли не совпадают.
account-password-wrong = Текущий пароль неверен.
account-password-locked = Слишком много неверных паролей: смена пароля на время заблокирована.
account-password-changed = Пароль изменён. Остальные ваши сеансы завершены.
account-password-short = Новый пароль слишком короткий.
account-totp-exists = Второй фактор уже настроен.
account-totp-on = Второй фактор включён: теперь для входа нужен код.
account-totp-mismatch = Код не подошёл. Начните настройку заново и введите текущий код.
account-totp-replace-refused = Код не совпал с текущим аутентификатором, или недавно было слишком много неверных кодов; попробуйте позже.
