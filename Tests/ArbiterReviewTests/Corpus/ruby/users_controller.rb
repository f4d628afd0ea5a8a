# Admin user management controller (Rails).
class Admin::UsersController < ApplicationController
  skip_before_action :verify_authenticity_token  # arbiter-expect: RB-CSRF-001

  def index
    @users = User.where("name LIKE '%#{params[:q]}%'")  # arbiter-expect: RB-SQLI-001
    @users = @users.order(params[:sort])  # arbiter-expect: RB-SQLI-001
    render :index
  end

  def search
    sql = "SELECT * FROM users WHERE email = '#{params[:email]}'"  # arbiter-expect: RB-SQLI-002
    @users = User.find_by_sql(sql)
  end

  def report
    rows = ActiveRecord::Base.connection.execute("SELECT * FROM audits WHERE actor = '" + params[:actor] + "'")  # arbiter-expect: RB-SQLI-001
    render json: rows.to_a
  end

  def create
    @user = User.new(params[:user])  # arbiter-expect: RB-MASS-001
    @user.save!
    redirect_to params[:return_to]  # arbiter-expect: RB-REDIRECT-001
  end

  def update
    current_user.update(params.require(:user).permit!)  # arbiter-expect: RB-MASS-001
    redirect_to admin_users_path
  end

  def promote
    attrs = params.require(:user).permit(:name, :email, :role)  # arbiter-expect: RB-MASS-001
    User.find(params[:id]).update(attrs)
  end

  def bulk
    action = params[:op]
    User.find(params[:id]).public_send(params[:op])  # arbiter-expect: RB-SEND-001
    klass = params[:type].constantize  # arbiter-expect: RB-SEND-001
    head :ok unless action && klass
  end

  def bio
    @bio = "<p>#{current_user.bio}</p>".html_safe  # arbiter-expect: RB-XSS-001
    render inline: "<h1>#{params[:title]}</h1>"  # arbiter-expect: RB-SSTI-001
  end

  # ---------------------------------------------------------------- safe look-alikes

  def index_safe
    @users = User.where("name LIKE ?", "%#{User.sanitize_sql_like(params[:q].to_s)}%")
    @users = @users.where(role: params[:role]).order(sort_column => :asc)
    @count = User.where("id = #{params[:id].to_i}").count
  end

  def search_safe
    sql = "SELECT * FROM users WHERE email = ?"
    @users = User.find_by_sql([sql, params[:email]])
  end

  def create_safe
    @user = User.new(user_params)
    @user.save!
    redirect_to admin_user_path(@user)
  end

  def bio_safe
    @bio = sanitize(current_user.bio).html_safe
    @banner = "<strong>Read only</strong>".html_safe
    render :bio, locals: { title: params[:title] }
  end

  private

  def user_params
    params.require(:user).permit(:name, :email)
  end

  def sort_column
    %w[name email created_at].include?(params[:sort]) ? params[:sort] : "name"
  end
end
