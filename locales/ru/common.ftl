# Общее для всех страниц.
lang-name = Русский
lang-switch = English
skip-to-content = Перейти к содержимому
tickets-count = { $count ->
    [one] { $count } обращение
    [few] { $count } обращения
   *[many] { $count } обращений
}
