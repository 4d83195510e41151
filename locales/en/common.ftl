# Shared by every page.
lang-name = English
lang-switch = Русский
skip-to-content = Skip to content
tickets-count = { $count ->
    [one] { $count } ticket
   *[other] { $count } tickets
}
