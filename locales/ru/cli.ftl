# Сообщения командной строки для людей (`hushdesk agent …`) на языке локали.

cli-agent-exists = сотрудник с именем «{ $name }» уже есть
cli-no-such-queue = среди очередей { $queues } есть несуществующая
cli-no-agent = нет сотрудника с именем «{ $name }»
cli-agent-disabled = { $name }: учётная запись отключена, сеансы завершены.
cli-agent-enabled = { $name }: вход снова разрешён.
cli-last-admin = { $name } — последний действующий администратор: сначала включите или добавьте другого (hushdesk agent add --role admin)
cli-reset-no-public-url = примечание: public_url не задан; добавьте перед путём адрес, по которому сотрудники открывают поддержку
cli-reset-link-works = ссылка действует один раз, до { $until }; до её использования { $name } не сможет войти
cli-list-name = ИМЯ
cli-list-role = РОЛЬ
cli-list-state = СОСТОЯНИЕ
cli-list-second-factor = 2FA
cli-list-queues = ОЧЕРЕДИ
cli-state-disabled = отключён
cli-state-locked = заблокирован
cli-state-enrolling = ждёт входа по ссылке
cli-state-active = активен
cli-yes = да
cli-no = нет
